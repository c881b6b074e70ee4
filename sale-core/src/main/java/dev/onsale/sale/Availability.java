package dev.onsale.sale;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Tickets per state, counted from the ticket rows (never from a counter that can drift):
 * available = open and not held, held = open with an unexpired hold, sold = the rest.
 */
public record Availability(long eventId, List<PerCategory> categories) {

  public record PerCategory(long categoryId, String name, long capacity, long available, long held) {
    public long sold() {
      return capacity - available - held;
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("id", categoryId)
          .put("name", name)
          .put("capacity", capacity)
          .put("available", available)
          .put("held", held)
          .put("sold", sold());
    }
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

  /** Nothing free and no hold that could come back: the sale is over for everyone waiting. */
  public boolean soldOut() {
    return available() == 0 && held() == 0;
  }

  public JsonObject toJson() {
    JsonArray cats = new JsonArray();
    categories.forEach(c -> cats.add(c.toJson()));
    return new JsonObject()
        .put("capacity", capacity())
        .put("available", available())
        .put("held", held())
        .put("sold", sold())
        .put("categories", cats);
  }
}
