package dev.onsale.bench;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * When the queue page reads the public state again: the rule of {@code queue.js}'s
 * {@code pollSeconds}, so that the bench's waiting buyers cost the origin what real pages cost it.
 * Every {@code refreshSeconds} near the front; a tenth of the estimated wait far from it, up to a
 * minute; before the sale, the first poll spread over a few seconds after its start.
 */
final class PagePolls {

  static final int MAX_SECONDS = 60;
  /** The page asks its own status at most this often. */
  static final long STATUS_GAP_MILLIS = 2_000;

  private PagePolls() {
  }

  /**
   * Seconds until the next read, before jitter.
   *
   * @param state the public state document
   * @param place the buyer's place in line (its number minus the highest serving seen)
   * @param random a number in [0, 1) for the spread at the sale's start
   */
  static double seconds(JsonObject state, long place, double random) {
    double base = state.getNumber("refreshSeconds", 2).doubleValue();
    double seconds = base;
    String name = state.getString("state", "");
    if ("admitting".equals(name)) {
      Number rate = targetRate(state);
      if (rate != null && rate.doubleValue() > 0) {
        double queueSeconds = Math.max(0, place) * 60.0 / rate.doubleValue();
        seconds = Math.max(base, Math.min(MAX_SECONDS, queueSeconds / 10));
      }
    }
    if ("prequeue".equals(name)) {
      Double untilSale = secondsUntilSale(state);
      if (untilSale != null && untilSale < seconds) {
        seconds = Math.max(0.5, untilSale) + random * 3;
      }
    }
    return seconds;
  }

  /**
   * The rate per minute the page estimates with ({@code queue.js}'s {@code updateRate} target): the
   * rate achieved over the last minute once ten seconds of it are measured, the configured rate before.
   */
  static Number targetRate(JsonObject state) {
    Number measured = state.getNumber("admissionRatePerMinute");
    return measured != null && state.getNumber("rateWindowSeconds", 0).intValue() >= 10
        ? measured : state.getNumber("configuredRatePerMinute");
  }

  /** Seconds from the state's {@code serverTime} to {@code saleStartsAt}, or null when either is missing. */
  static Double secondsUntilSale(JsonObject state) {
    Instant starts = instant(state.getString("saleStartsAt"));
    Instant now = instant(state.getString("serverTime"));
    return starts == null || now == null ? null : (starts.toEpochMilli() - now.toEpochMilli()) / 1000.0;
  }

  /** Whether the buyer's turn may have come: the page then asks its own status. */
  static boolean turnMayHaveCome(JsonObject state, long number, long maxServing) {
    String name = state.getString("state", "");
    if ("prequeue".equals(name) || "not_open".equals(name) || "shuffling".equals(name)) {
      return false;
    }
    // A random pre-queue places numbers by a drawn order the bench does not compute: ask.
    return "random".equals(state.getString("preQueue")) || number <= maxServing;
  }

  private static Instant instant(String iso) {
    try {
      return iso == null ? null : Instant.parse(iso);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
