package dev.onsale.waitingroom;

import dev.onsale.common.EventMeta;
import java.util.Map;

/**
 * One event as the waiting room uses it, read from what the sale core publishes ({@link EventMeta},
 * times in epoch milliseconds).
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

  static final int MAX_POW_DIFFICULTY = 32;

  static EventInfo fromHash(long id, Map<String, String> hash) {
    return of(EventMeta.fromHash(id, hash));
  }

  /** The published event with the waiting room's bounds: rates and slots at least one, difficulty 1 to 32 bits. */
  static EventInfo of(EventMeta meta) {
    return new EventInfo(
        meta.id(),
        meta.slug(),
        meta.name(),
        meta.venue(),
        meta.startsAt(),
        meta.queueOpensAt(),
        meta.saleStartsAt(),
        meta.saleEndsAt(),
        Math.max(1, meta.admissionRatePerMinute()),
        Math.max(1, meta.maxActiveShoppers()),
        meta.maxTicketsPerOrder(),
        meta.holdSeconds(),
        meta.waitingRoomOn(),
        meta.randomPreQueue(),
        meta.paused(),
        meta.powJoin(),
        Math.max(1, Math.min(MAX_POW_DIFFICULTY, meta.powDifficulty())));
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
