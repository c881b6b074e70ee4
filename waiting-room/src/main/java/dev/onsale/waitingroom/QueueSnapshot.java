package dev.onsale.waitingroom;

import java.util.Map;

/**
 * The part of an event's queue that is the same for every buyer, as one instance last read it from
 * Redis. Status answers are computed from this in memory, without a Redis round trip.
 *
 * @param serving queue positions up to this one are admitted
 * @param arrivals the last arrival number handed out
 * @param seed the random pre-queue's seed; secret until {@code preQueueSize >= 0}
 * @param preQueueSize arrivals {@code 1..preQueueSize} were shuffled at the sale start; -1 while
 *     the pre-queue is still open (or for a FIFO event before its sale)
 * @param observedRatePerMinute admissions per minute over the last minute, NaN until known
 */
record QueueSnapshot(
    EventInfo event,
    Availability availability,
    long serving,
    long arrivals,
    String seed,
    String seedHash,
    long preQueueSize,
    long loadedAt,
    double observedRatePerMinute) {

  static QueueSnapshot of(EventInfo event, Map<String, String> availability, long serving, long arrivals,
      Map<String, String> state, long loadedAt) {
    return new QueueSnapshot(
        event,
        Availability.fromHash(availability),
        serving,
        arrivals,
        state.get("seed"),
        state.get("seedHash"),
        RedisReplies.longOf(state, "preQueueSize", -1),
        loadedAt,
        Double.NaN);
  }

  QueueSnapshot withObservedRate(double ratePerMinute) {
    return new QueueSnapshot(event, availability, serving, arrivals, seed, seedHash, preQueueSize, loadedAt,
        ratePerMinute);
  }

  /** Buyers who hold a number and have not been admitted yet. */
  long waiting() {
    return Math.max(0, arrivals - serving);
  }

  boolean preQueueClosed() {
    return preQueueSize >= 0;
  }

  /** The seed may be shown once the shuffle it decided is fixed. */
  String revealedSeed() {
    return preQueueClosed() ? seed : null;
  }
}
