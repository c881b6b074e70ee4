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
 * @param redisTime Redis's clock when the snapshot was read (epoch milliseconds): the one clock
 *     every instance shares, for the public state's {@code serverTime}
 * @param achievedRate admissions per minute achieved over the last minute (from Redis)
 * @param servingUpdatedAt when serving last moved (epoch milliseconds, Redis's clock), 0 if never
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
    long redisTime,
    AchievedRate achievedRate,
    long servingUpdatedAt) {

  static QueueSnapshot of(EventInfo event, Map<String, String> availability, long serving, long arrivals,
      Map<String, String> state, Map<String, String> admissionLog, long redisTime, long loadedAt) {
    return new QueueSnapshot(
        event,
        Availability.fromHash(availability),
        serving,
        arrivals,
        state.get("seed"),
        state.get("seedHash"),
        RedisReplies.longOf(state, "preQueueSize", -1),
        loadedAt,
        redisTime,
        AchievedRate.fromLog(admissionLog, redisTime / 1000),
        RedisReplies.longOf(state, "servingUpdatedAt", 0));
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
