package dev.onsale.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one driver saw: a latency histogram per step, answers per second for the timeline, and
 * errors by step and status. Not thread-safe: each driver verticle owns one and records from its
 * own event loop; the run merges them at the end.
 */
final class Recorder {

  /** Latencies are recorded in microseconds, up to a minute, with three significant digits. */
  static final long MAX_MICROS = 60_000_000L;

  private final RunClock clock;
  private final Map<Step, Histogram> latencies = new EnumMap<>(Step.class);
  private final Map<String, Long> errors = new TreeMap<>();
  private final List<long[]> perSecond = new ArrayList<>();
  private final Map<Step, long[]> window = new EnumMap<>(Step.class);
  private long soldOutAnswers;

  Recorder(RunClock clock) {
    this.clock = clock;
    for (Step step : Step.values()) {
      latencies.put(step, new Histogram(MAX_MICROS, 3));
    }
  }

  /** One answer the buyer expected (2xx, or a sold-out 409). */
  void success(Step step, long startNanos) {
    elapsed(step, System.nanoTime() - startNanos);
  }

  /**
   * One expected answer whose latency is {@code nanos}, ending now: a step made of several calls
   * (the pay step: open the page, then press a button) records their sum, without the think time.
   */
  void elapsed(Step step, long nanos) {
    long now = System.nanoTime();
    if (!clock.measuring(now)) {
      return;
    }
    latencies.get(step).recordValue(Math.min(MAX_MICROS, Math.max(0, nanos / 1000)));
    bucket(now)[step.ordinal()]++;
    long[] span = window.computeIfAbsent(step, s -> new long[] {now, now, 0});
    span[1] = now;
    span[2]++;
  }

  void soldOut(Step step, long startNanos) {
    soldOutAnswers++;
    success(step, startNanos);
  }

  /** An answer the buyer did not expect, keyed like {@code "reserve 503"} or {@code "join io"}. */
  void error(Step step, String status) {
    long now = System.nanoTime();
    if (!clock.measuring(now)) {
      return;
    }
    errors.merge(step.key() + " " + status, 1L, Long::sum);
    bucket(now)[Step.values().length]++;
  }

  private long[] bucket(long nanos) {
    int second = (int) clock.secondsSinceStart(nanos);
    while (perSecond.size() <= second) {
      perSecond.add(new long[Step.values().length + 1]);
    }
    return perSecond.get(second);
  }

  /** Adds another driver's figures into this one. */
  void add(Recorder other) {
    other.latencies.forEach((step, histogram) -> latencies.get(step).add(histogram));
    other.errors.forEach((key, count) -> errors.merge(key, count, Long::sum));
    for (int s = 0; s < other.perSecond.size(); s++) {
      while (perSecond.size() <= s) {
        perSecond.add(new long[Step.values().length + 1]);
      }
      long[] mine = perSecond.get(s);
      long[] theirs = other.perSecond.get(s);
      for (int i = 0; i < mine.length; i++) {
        mine[i] += theirs[i];
      }
    }
    other.window.forEach((step, span) -> window.merge(step, span.clone(), (a, b) ->
        new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1]), a[2] + b[2]}));
    soldOutAnswers += other.soldOutAnswers;
  }

  Histogram latency(Step step) {
    return latencies.get(step);
  }

  Map<String, Long> errors() {
    return errors;
  }

  long totalErrors() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  List<long[]> perSecond() {
    return perSecond;
  }

  long soldOutAnswers() {
    return soldOutAnswers;
  }

  /**
   * Answers per second while the step was active (first to last answer), so a step that only
   * runs in the second half of a sale is not diluted by the first half.
   */
  double ratePerSecond(Step step) {
    long[] span = window.get(step);
    if (span == null || span[2] == 0) {
      return 0;
    }
    double seconds = Math.max((span[1] - span[0]) / 1e9, 1.0);
    return span[2] / seconds;
  }
}
