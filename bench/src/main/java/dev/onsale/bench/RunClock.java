package dev.onsale.bench;

/** The run's time origin (when the first buyer may arrive) and its warm-up window. */
final class RunClock {

  private final long startNanos;
  private final long measureFromNanos;
  private final long startEpochMillis;

  RunClock(long warmupSeconds) {
    this.startNanos = System.nanoTime();
    this.startEpochMillis = System.currentTimeMillis();
    this.measureFromNanos = startNanos + warmupSeconds * 1_000_000_000L;
  }

  boolean measuring(long nanos) {
    return nanos >= measureFromNanos;
  }

  double secondsSinceStart(long nanos) {
    return Math.max(0, (nanos - startNanos) / 1e9);
  }

  double elapsedSeconds() {
    return secondsSinceStart(System.nanoTime());
  }

  long elapsedMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000L;
  }

  long startEpochMillis() {
    return startEpochMillis;
  }
}
