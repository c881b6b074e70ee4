package dev.onsale.waitingroom;

import java.util.Map;

/**
 * The admission rate actually achieved over the last minute, read from the event's admission log
 * (admissions per second of Redis's clock, written by the admission controller). Every instance
 * reads the same log and the same clock, so every instance computes the same rate.
 *
 * @param perMinute admissions per minute over the window; NaN when nobody was admitted in the last
 *     minute (nothing to go by)
 * @param windowSeconds the seconds the rate is measured over: from the first admission in the last
 *     minute to now, at most 60; a short window (the first seconds of a sale) is a rough estimate
 */
record AchievedRate(double perMinute, int windowSeconds) {

  static final AchievedRate UNKNOWN = new AchievedRate(Double.NaN, 0);
  static final int WINDOW_SECONDS = 60;
  /** Below this the page shows the wait as a wider range. */
  static final int STEADY_AFTER_SECONDS = 10;

  static AchievedRate fromLog(Map<String, String> log, long nowSecond) {
    long sum = 0;
    long oldest = Long.MAX_VALUE;
    boolean any = false;
    for (Map.Entry<String, String> bucket : log.entrySet()) {
      long second;
      try {
        second = Long.parseLong(bucket.getKey());
      } catch (NumberFormatException ignored) {
        continue;
      }
      if (second <= nowSecond - WINDOW_SECONDS || second > nowSecond) {
        any |= second <= nowSecond;
        continue;
      }
      any = true;
      sum += RedisReplies.longOf(log, bucket.getKey(), 0);
      oldest = Math.min(oldest, second);
    }
    if (oldest == Long.MAX_VALUE) {
      // Admissions older than a minute: the line stood still for a minute, a rate of zero.
      return any ? new AchievedRate(0, WINDOW_SECONDS) : UNKNOWN;
    }
    int window = (int) Math.min(WINDOW_SECONDS, nowSecond - oldest + 1);
    return new AchievedRate(sum * 60.0 / window, window);
  }

  boolean known() {
    return !Double.isNaN(perMinute);
  }

  boolean steady() {
    return known() && windowSeconds >= STEADY_AFTER_SECONDS;
  }
}
