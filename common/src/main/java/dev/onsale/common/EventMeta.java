package dev.onsale.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An event as the sale core publishes it to Redis ({@link RedisKeys.Event#meta()}) for the waiting
 * room and the operations page, which never read PostgreSQL. The hash's field names, their
 * encoding and the defaults for a field an older publisher did not write are here and nowhere else.
 * Times are epoch milliseconds.
 *
 * @param waitingRoomOn buyers queue before the shop ({@code waitingRoom = on | off})
 * @param randomPreQueue who joined before the sale start is shuffled ({@code preQueue = random | fifo})
 * @param powJoin joining takes a solved proof-of-work challenge ({@code joinChallenge = pow | none})
 */
public record EventMeta(
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
    String timeZone,
    int paymentSeconds,
    boolean powJoin,
    int powDifficulty) {

  public static final String ID = "id";
  public static final String SLUG = "slug";
  public static final String NAME = "name";
  public static final String VENUE = "venue";
  public static final String STARTS_AT = "startsAt";
  public static final String QUEUE_OPENS_AT = "queueOpensAt";
  public static final String SALE_STARTS_AT = "saleStartsAt";
  public static final String SALE_ENDS_AT = "saleEndsAt";
  public static final String ADMISSION_RATE_PER_MINUTE = "admissionRatePerMinute";
  public static final String MAX_ACTIVE_SHOPPERS = "maxActiveShoppers";
  public static final String MAX_TICKETS_PER_ORDER = "maxTicketsPerOrder";
  public static final String HOLD_SECONDS = "holdSeconds";
  public static final String WAITING_ROOM = "waitingRoom";
  public static final String PRE_QUEUE = "preQueue";
  public static final String PAUSED = "paused";
  public static final String TIME_ZONE = "timeZone";
  public static final String PAYMENT_SECONDS = "paymentSeconds";
  public static final String JOIN_CHALLENGE = "joinChallenge";
  public static final String POW_DIFFICULTY = "powDifficulty";

  /** The proof-of-work bits when none were published: see docs/PERFORMANCE.md for the solve times. */
  public static final int DEFAULT_POW_DIFFICULTY = 17;

  /** The hash's fields, in a stable order. */
  public Map<String, String> toHash() {
    Map<String, String> hash = new LinkedHashMap<>();
    hash.put(ID, String.valueOf(id));
    hash.put(SLUG, slug);
    hash.put(NAME, name);
    hash.put(VENUE, venue);
    hash.put(STARTS_AT, String.valueOf(startsAt));
    hash.put(QUEUE_OPENS_AT, String.valueOf(queueOpensAt));
    hash.put(SALE_STARTS_AT, String.valueOf(saleStartsAt));
    hash.put(SALE_ENDS_AT, String.valueOf(saleEndsAt));
    hash.put(ADMISSION_RATE_PER_MINUTE, String.valueOf(admissionRatePerMinute));
    hash.put(MAX_ACTIVE_SHOPPERS, String.valueOf(maxActiveShoppers));
    hash.put(MAX_TICKETS_PER_ORDER, String.valueOf(maxTicketsPerOrder));
    hash.put(HOLD_SECONDS, String.valueOf(holdSeconds));
    hash.put(WAITING_ROOM, waitingRoomOn ? "on" : "off");
    hash.put(PRE_QUEUE, randomPreQueue ? "random" : "fifo");
    hash.put(PAUSED, String.valueOf(paused));
    hash.put(TIME_ZONE, timeZone);
    hash.put(PAYMENT_SECONDS, String.valueOf(paymentSeconds));
    hash.put(JOIN_CHALLENGE, powJoin ? "pow" : "none");
    hash.put(POW_DIFFICULTY, String.valueOf(powDifficulty));
    return hash;
  }

  /**
   * The event as published. A field missing or unreadable takes its default, so that an older
   * publisher's hash still reads; whether anything was published at all (an empty hash) is the
   * caller's to ask first.
   */
  public static EventMeta fromHash(long id, Map<String, String> hash) {
    return new EventMeta(
        id,
        hash.getOrDefault(SLUG, ""),
        hash.getOrDefault(NAME, ""),
        hash.getOrDefault(VENUE, ""),
        number(hash, STARTS_AT, 0),
        number(hash, QUEUE_OPENS_AT, 0),
        number(hash, SALE_STARTS_AT, 0),
        number(hash, SALE_ENDS_AT, Long.MAX_VALUE),
        (int) number(hash, ADMISSION_RATE_PER_MINUTE, 600),
        (int) number(hash, MAX_ACTIVE_SHOPPERS, 200),
        (int) number(hash, MAX_TICKETS_PER_ORDER, 6),
        (int) number(hash, HOLD_SECONDS, 600),
        !"off".equalsIgnoreCase(hash.getOrDefault(WAITING_ROOM, "on")),
        "random".equalsIgnoreCase(hash.getOrDefault(PRE_QUEUE, "fifo")),
        "true".equalsIgnoreCase(hash.getOrDefault(PAUSED, "false")),
        hash.getOrDefault(TIME_ZONE, "UTC"),
        (int) number(hash, PAYMENT_SECONDS, 0),
        "pow".equalsIgnoreCase(hash.getOrDefault(JOIN_CHALLENGE, "none")),
        (int) number(hash, POW_DIFFICULTY, DEFAULT_POW_DIFFICULTY));
  }

  /** A whole number from a hash field; a decimal is cut, and a missing, blank or unreadable field is the fallback. */
  public static long number(Map<String, String> hash, String field, long fallback) {
    String value = hash.get(field);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      try {
        return (long) Double.parseDouble(value.trim());
      } catch (NumberFormatException ignored) {
        return fallback;
      }
    }
  }
}
