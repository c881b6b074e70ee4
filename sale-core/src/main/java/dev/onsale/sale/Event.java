package dev.onsale.sale;

import dev.onsale.common.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An event with its schedule, sale settings and ticket categories. */
public record Event(
    long id,
    String slug,
    String name,
    String venue,
    Instant startsAt,
    Instant queueOpensAt,
    Instant saleStartsAt,
    Instant saleEndsAt,
    int admissionRatePerMinute,
    int maxActiveShoppers,
    int maxTicketsPerOrder,
    int holdSeconds,
    boolean waitingRoom,
    String preQueue,
    boolean paused,
    Payment payment,
    String timeZone,
    JoinChallenge joinChallenge,
    List<Category> categories) {

  /** How long a buyer has to pay an order, and how much longer its tickets stay kept for a payment in flight. */
  public record Payment(int seconds, int graceSeconds) {
    public static final Payment DEFAULT = new Payment(900, 120);
  }

  /** What joining the queue costs a buyer's device: {@code none}, or a proof of work of {@code difficulty} bits. */
  public record JoinChallenge(String kind, int difficulty) {
    public static final JoinChallenge NONE = new JoinChallenge("none", 17);
  }

  public record Category(long id, String name, int priceCents, String currency, int capacity) {
    JsonObject toJson() {
      return new JsonObject()
          .put("id", id)
          .put("name", name)
          .put("priceCents", priceCents)
          .put("currency", currency)
          .put("capacity", capacity);
    }
  }

  public Optional<Category> category(long categoryId) {
    return categories.stream().filter(c -> c.id() == categoryId).findFirst();
  }

  /** One currency per event; null only for an event without categories. */
  public String currency() {
    return categories.isEmpty() ? null : categories.get(0).currency();
  }

  public boolean saleOpenAt(Instant now) {
    return !now.isBefore(saleStartsAt) && now.isBefore(saleEndsAt);
  }

  public JsonObject toJson() {
    JsonArray cats = new JsonArray();
    categories.forEach(c -> cats.add(c.toJson()));
    return new JsonObject()
        .put("id", id)
        .put("slug", slug)
        .put("name", name)
        .put("venue", venue)
        .put("startsAt", Json.instant(startsAt))
        .put("queueOpensAt", Json.instant(queueOpensAt))
        .put("saleStartsAt", Json.instant(saleStartsAt))
        .put("saleEndsAt", Json.instant(saleEndsAt))
        .put("admissionRatePerMinute", admissionRatePerMinute)
        .put("maxActiveShoppers", maxActiveShoppers)
        .put("maxTicketsPerOrder", maxTicketsPerOrder)
        .put("holdSeconds", holdSeconds)
        .put("waitingRoom", waitingRoom ? "on" : "off")
        .put("preQueue", preQueue)
        .put("paused", paused)
        .put("paymentSeconds", payment.seconds())
        .put("paymentGraceSeconds", payment.graceSeconds())
        .put("timeZone", timeZone)
        .put("joinChallenge", joinChallenge.kind())
        .put("powDifficulty", joinChallenge.difficulty())
        .put("currency", currency())
        .put("categories", cats);
  }
}
