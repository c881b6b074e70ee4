package dev.onsale.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An event's ticket totals as the sale core publishes them to Redis about every second
 * ({@link RedisKeys.Event#availability()}), read by the waiting room and the operations page. The
 * hash's field names are here and nowhere else.
 *
 * @param pending tickets kept for orders whose buyers are paying
 * @param nextReleaseAt when the earliest hold or payment window ends (epoch ms), 0 when none
 * @param updatedAt when this was published (epoch ms)
 * @param availableByCategory tickets free now per category id
 */
public record EventAvailability(
    long capacity,
    long available,
    long held,
    long pending,
    long sold,
    long nextReleaseAt,
    long updatedAt,
    Map<Long, Long> availableByCategory) {

  public static final String CAPACITY = "capacity";
  public static final String AVAILABLE = "available";
  public static final String HELD = "held";
  public static final String PENDING = "pending";
  public static final String SOLD = "sold";
  public static final String NEXT_RELEASE_AT = "nextReleaseAt";
  public static final String UPDATED_AT = "updatedAt";
  private static final String CATEGORY_PREFIX = "cat:";

  public EventAvailability {
    availableByCategory = Map.copyOf(availableByCategory);
  }

  /** The hash's fields, in a stable order (each category as {@code cat:<id>}). */
  public Map<String, String> toHash() {
    Map<String, String> hash = new LinkedHashMap<>();
    hash.put(CAPACITY, String.valueOf(capacity));
    hash.put(AVAILABLE, String.valueOf(available));
    hash.put(HELD, String.valueOf(held));
    hash.put(PENDING, String.valueOf(pending));
    hash.put(NEXT_RELEASE_AT, String.valueOf(nextReleaseAt));
    hash.put(SOLD, String.valueOf(sold));
    hash.put(UPDATED_AT, String.valueOf(updatedAt));
    availableByCategory.forEach((id, free) -> hash.put(CATEGORY_PREFIX + id, String.valueOf(free)));
    return hash;
  }

  /** The totals as published, or null while nothing is (the sale core has not published yet). */
  public static EventAvailability fromHash(Map<String, String> hash) {
    if (hash == null || !hash.containsKey(AVAILABLE)) {
      return null;
    }
    Map<Long, Long> byCategory = new LinkedHashMap<>();
    hash.forEach((field, value) -> {
      if (field.startsWith(CATEGORY_PREFIX)) {
        try {
          byCategory.put(Long.parseLong(field.substring(CATEGORY_PREFIX.length())), Long.parseLong(value));
        } catch (NumberFormatException ignored) {
          // not a category this publisher wrote
        }
      }
    });
    return new EventAvailability(
        EventMeta.number(hash, CAPACITY, 0),
        EventMeta.number(hash, AVAILABLE, 0),
        EventMeta.number(hash, HELD, 0),
        EventMeta.number(hash, PENDING, 0),
        EventMeta.number(hash, SOLD, 0),
        EventMeta.number(hash, NEXT_RELEASE_AT, 0),
        EventMeta.number(hash, UPDATED_AT, 0),
        byCategory);
  }
}
