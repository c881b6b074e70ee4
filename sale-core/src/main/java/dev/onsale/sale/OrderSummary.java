package dev.onsale.sale;

import dev.onsale.common.Json;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;

/** One line of the organizer's order list: who bought how many tickets, for how much, and the order's status. */
public record OrderSummary(long id, String code, String status, String buyerName, String buyerEmail, long tickets,
                           long totalCents, String currency, OffsetDateTime createdAt) {

  /** As the organizer API lists it. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("code", code)
        .put("status", status)
        .put("buyer", new JsonObject().put("name", buyerName).put("email", buyerEmail))
        .put("tickets", tickets)
        .put("totalCents", totalCents)
        .put("currency", currency)
        .put("createdAt", Json.instant(createdAt));
  }
}
