package dev.onsale.sale;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Tickets per state, counted from the ticket rows (never from a counter that can drift):
 * available = open and free, held = in an unexpired hold, pending = kept for an order awaiting its
 * payment, sold = the rest. {@code nextReleaseAt} is the earliest moment a held or kept ticket can
 * come back (null when none is held or kept).
 */
public record Availability(long eventId, List<PerCategory> categories, Instant nextReleaseAt) {

  public record PerCategory(long categoryId, String name, long capacity, long available, long held, long pending) {
    public long sold() {
      return capacity - available - held - pending;
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("id", categoryId)
          .put("name", name)
          .put("capacity", capacity)
          .put("available", available)
          .put("held", held)
          .put("pending", pending)
          .put("sold", sold());
    }
  }

  public long pending() {
    return categories.stream().mapToLong(PerCategory::pending).sum();
  }

  public long capacity() {
    return categories.stream().mapToLong(PerCategory::capacity).sum();
  }

  public long available() {
    return categories.stream().mapToLong(PerCategory::available).sum();
  }

  public long held() {
    return categories.stream().mapToLong(PerCategory::held).sum();
  }

  public long sold() {
    return categories.stream().mapToLong(PerCategory::sold).sum();
  }

  public long availableIn(long categoryId) {
    return categories.stream().filter(c -> c.categoryId() == categoryId).mapToLong(PerCategory::available).sum();
  }

  /** The counts of one category; all zero for a category this count does not know (yet). */
  public PerCategory in(long categoryId) {
    return categories.stream().filter(c -> c.categoryId() == categoryId).findFirst()
        .orElse(new PerCategory(categoryId, null, 0, 0, 0, 0));
  }

  /**
   * Nothing free and nothing held or kept that could come back: the sale is over for everyone
   * waiting. Tickets in baskets (held, or kept for a payment) are not sold out: some may come back.
   */
  public boolean soldOut() {
    return available() == 0 && held() == 0 && pending() == 0;
  }

  public JsonObject toJson() {
    JsonArray cats = new JsonArray();
    categories.forEach(c -> cats.add(c.toJson()));
    return new JsonObject()
        .put("capacity", capacity())
        .put("available", available())
        .put("held", held())
        .put("pending", pending())
        .put("sold", sold())
        .put("nextReleaseAt", nextReleaseAt == null ? null : dev.onsale.common.Json.instant(nextReleaseAt))
        .put("categories", cats);
  }
}
