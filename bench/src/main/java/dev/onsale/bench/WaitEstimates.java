package dev.onsale.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * How far the wait the queue page shows was from the wait that came. Each waiting buyer records
 * what its page would show at every read of the public state (the middle of the page's range), and
 * every buyer's read adds to one timeline of when {@code serving} first reached each value. After
 * the sale, the actual wait of a prediction is the time from it to the moment {@code serving}
 * reached the buyer's number: seen by the whole crowd, so within about a second, instead of within
 * one buyer's poll spacing.
 *
 * <p>Waits shorter than {@link #MIN_ACTUAL_SECONDS} are left out of the error: there the spacing of
 * the polls, not the estimate, decides the ratio.
 */
final class WaitEstimates {

  static final double MIN_ACTUAL_SECONDS = 10;

  /** One prediction: the buyer's number, when (run millis) and the wait the page showed (seconds). */
  record Prediction(long number, long atMillis, double predictedSeconds, boolean firstAfterStart) {}

  /** The errors over the predictions whose actual wait is long enough, and over each buyer's first one in the sale. */
  record Summary(int predictions, int counted, double median, double p90, int firstCounted, double firstMedian, double firstP90) {

    JsonObject toJson() {
      return new JsonObject()
          .put("predictions", predictions)
          .put("counted", counted)
          .put("minActualSeconds", MIN_ACTUAL_SECONDS)
          .put("medianRelativeError", round(median))
          .put("p90RelativeError", round(p90))
          .put("firstInSaleCounted", firstCounted)
          .put("firstInSaleMedianRelativeError", round(firstMedian))
          .put("firstInSaleP90RelativeError", round(firstP90));
    }

    private static Double round(double value) {
      return Double.isNaN(value) ? null : Math.round(value * 1000) / 1000.0;
    }
  }

  private final ConcurrentLinkedQueue<Prediction> predictions = new ConcurrentLinkedQueue<>();
  /** Serving value to the run millis it was first seen at. */
  private final ConcurrentSkipListMap<Long, Long> servingSeen = new ConcurrentSkipListMap<>();

  void servingSeen(long serving, long atMillis) {
    servingSeen.merge(serving, atMillis, Math::min);
  }

  void predicted(long number, long atMillis, double predictedSeconds, boolean firstAfterStart) {
    predictions.add(new Prediction(number, atMillis, predictedSeconds, firstAfterStart));
  }

  /** When {@code serving} first reached each number: the earliest sighting of any value at or above it. */
  Reached reached() {
    long[] values = new long[servingSeen.size()];
    long[] firstAt = new long[values.length];
    int i = 0;
    for (Map.Entry<Long, Long> e : servingSeen.entrySet()) {
      if (i == values.length) {
        break; // seen meanwhile: the summary is taken after the run
      }
      values[i] = e.getKey();
      firstAt[i++] = e.getValue();
    }
    // Sightings come from many buyers out of order: a higher value may have been seen earlier.
    for (int k = i - 2; k >= 0; k--) {
      firstAt[k] = Math.min(firstAt[k], firstAt[k + 1]);
    }
    return new Reached(Arrays.copyOf(values, i), Arrays.copyOf(firstAt, i));
  }

  record Reached(long[] values, long[] firstAt) {

    /** Run millis when serving first reached the number, or -1 when it never did in the run. */
    long millis(long number) {
      int at = Arrays.binarySearch(values, number);
      int index = at >= 0 ? at : -at - 1;
      return index < values.length ? firstAt[index] : -1;
    }
  }

  Summary summary() {
    Reached reached = reached();
    List<Double> all = new ArrayList<>();
    List<Double> first = new ArrayList<>();
    int count = 0;
    for (Prediction p : predictions) {
      count++;
      long at = reached.millis(p.number());
      if (at < 0) {
        continue;
      }
      double actual = (at - p.atMillis()) / 1000.0;
      if (actual < MIN_ACTUAL_SECONDS) {
        continue;
      }
      double error = Math.abs(p.predictedSeconds() - actual) / actual;
      all.add(error);
      if (p.firstAfterStart()) {
        first.add(error);
      }
    }
    return new Summary(count, all.size(), quantile(all, 0.5), quantile(all, 0.9), first.size(), quantile(first, 0.5),
        quantile(first, 0.9));
  }

  /**
   * The wait a queue page shows, as {@code queue.js} computes it ({@code updateRate}, {@code
   * estimate}): the rate achieved over the last minute once there are ten seconds of it, the
   * configured rate before, smoothed; the middle of the page's range. One per buyer.
   */
  static final class PageEstimate {

    private Double rate;

    /** The wait in seconds the page would show now, or null when it shows none. */
    Double seconds(JsonObject state, long number, long maxServing) {
      String name = state.getString("state", "");
      updateRate(state);
      boolean prequeue = "prequeue".equals(name);
      if (!"admitting".equals(name) && !prequeue) {
        return null; // paused, waiting for tickets, shuffling: the page shows no wait
      }
      Number configured = state.getNumber("configuredRatePerMinute");
      double perMinute = rate != null ? rate : configured == null ? 0 : configured.doubleValue();
      if (perMinute <= 0) {
        return null;
      }
      long place = Math.max(0, number - (prequeue ? 0 : maxServing));
      Double untilSale = prequeue ? PagePolls.secondsUntilSale(state) : null;
      double before = untilSale == null ? 0 : Math.max(0, untilSale);
      return before + place * 60.0 / perMinute;
    }

    private void updateRate(JsonObject state) {
      Number target = PagePolls.targetRate(state);
      if (target == null || target.doubleValue() <= 0) {
        return;
      }
      rate = rate == null ? target.doubleValue() : rate + 0.3 * (target.doubleValue() - rate);
    }
  }

  static double quantile(List<Double> values, double q) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
