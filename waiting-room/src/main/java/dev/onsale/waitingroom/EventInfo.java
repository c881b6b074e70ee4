package dev.onsale.waitingroom;

import java.util.Map;

/**
 * One event as the sale core publishes it in its Redis meta hash (times in epoch milliseconds).
 *
 * @param powJoin joining takes a solved proof-of-work challenge ({@code joinChallenge = pow})
 * @param powDifficulty the leading zero bits a solution needs ({@code powDifficulty}, default 17:
 *     the 95th percentile of the page's solve at 6x CPU throttling stays within 5 s, see
 *     docs/PERFORMANCE.md)
 */
record EventInfo(
    long id,
    String slug,
    String name,
    String venue,
    long startsAt,
    long queueOpensAt,
    long saleStartsAt,
    long saleEndsAt,
    int admissionRatePerMinute,
    int maxActiveShoppers,
    int maxTicketsPerOrder,
    int holdSeconds,
    boolean waitingRoomOn,
    boolean randomPreQueue,
    boolean paused,
    boolean powJoin,
    int powDifficulty) {

  static final int DEFAULT_POW_DIFFICULTY = 17;
  static final int MAX_POW_DIFFICULTY = 32;

  static EventInfo fromHash(long id, Map<String, String> meta) {
    return new EventInfo(
        id,
        meta.getOrDefault("slug", ""),
        meta.getOrDefault("name", ""),
        meta.getOrDefault("venue", ""),
        RedisReplies.longOf(meta, "startsAt", 0),
        RedisReplies.longOf(meta, "queueOpensAt", 0),
        RedisReplies.longOf(meta, "saleStartsAt", 0),
        RedisReplies.longOf(meta, "saleEndsAt", Long.MAX_VALUE),
        (int) Math.max(1, RedisReplies.longOf(meta, "admissionRatePerMinute", 600)),
        (int) Math.max(1, RedisReplies.longOf(meta, "maxActiveShoppers", 200)),
        (int) RedisReplies.longOf(meta, "maxTicketsPerOrder", 6),
        (int) RedisReplies.longOf(meta, "holdSeconds", 600),
        !"off".equalsIgnoreCase(meta.getOrDefault("waitingRoom", "on")),
        "random".equalsIgnoreCase(meta.getOrDefault("preQueue", "fifo")),
        "true".equalsIgnoreCase(meta.getOrDefault("paused", "false")),
        "pow".equalsIgnoreCase(meta.getOrDefault("joinChallenge", "none")),
        (int) Math.max(1, Math.min(MAX_POW_DIFFICULTY,
            RedisReplies.longOf(meta, "powDifficulty", DEFAULT_POW_DIFFICULTY))));
  }

  boolean queueOpen(long now) {
    return now >= queueOpensAt;
  }

  boolean saleStarted(long now) {
    return now >= saleStartsAt;
  }

  boolean saleEnded(long now) {
    return now >= saleEndsAt;
  }
}
