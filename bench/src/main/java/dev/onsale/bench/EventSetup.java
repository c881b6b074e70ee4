package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;

/** Creates the event under test through the organizer API, or loads the one named on the command line. */
final class EventSetup {

  private EventSetup() {}

  static Future<EventInfo> prepare(OnsaleApi api, Settings settings) {
    if (settings.eventId() != null) {
      return api.event(settings.eventId()).compose(reply -> reply.ok()
          ? Future.succeededFuture(EventInfo.fromJson(reply.body()))
          : Future.failedFuture("cannot read event " + settings.eventId() + ": " + reply.status() + " " + reply.body().encode()));
    }
    return api.createEvent(eventJson(settings)).compose(reply -> reply.status() == 201 || reply.status() == 200
        ? Future.succeededFuture(EventInfo.fromJson(reply.body()))
        : Future.failedFuture("creating the event failed: " + reply.status() + " " + reply.body().encode()));
  }

  static JsonObject eventJson(Settings settings) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    boolean reserveOnly = settings.mode().closedLoop();
    // Likewise the payment window of an order-only run's pending orders: a kept ticket that came
    // back during the run would be ordered twice, legitimately, and blur the check.
    boolean orderOnly = settings.mode() == Settings.Mode.ORDER_ONLY;
    // Holds must outlive a reserve-only run: an expired hold is claimable again, which would
    // blur the no-ticket-twice check.
    int holdSeconds = reserveOnly ? Math.max(settings.holdSeconds(), settings.durationSeconds() + 600) : settings.holdSeconds();
    String slug = "bench-" + now.getEpochSecond() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
    return new JsonObject()
        .put("name", "Onsale bench " + (settings.label() == null ? "" : settings.label() + " ") + now)
        .put("slug", slug)
        .put("venue", "Bench Hall")
        .put("startsAt", now.plus(30, ChronoUnit.DAYS).toString())
        .put("queueOpensAt", now.toString())
        .put("saleStartsAt", now.plusSeconds(settings.saleDelaySeconds()).toString())
        .put("saleEndsAt", now.plus(1, ChronoUnit.DAYS).toString())
        .put("admissionRatePerMinute", settings.ratePerMinute())
        .put("maxActiveShoppers", settings.maxActiveShoppers())
        .put("maxTicketsPerOrder", settings.maxTicketsPerOrder())
        .put("holdSeconds", holdSeconds)
        .put("waitingRoom", settings.waitingRoom() && !reserveOnly ? "on" : "off")
        .put("preQueue", "fifo")
        .put("paymentSeconds", orderOnly
            ? Math.min(86_400, Math.max(settings.pay().paymentSeconds(), settings.durationSeconds() + 600))
            : settings.pay().paymentSeconds())
        .put("paymentGraceSeconds", settings.pay().graceSeconds())
        .put("categories", categories(settings));
  }

  private static JsonArray categories(Settings settings) {
    JsonArray array = new JsonArray();
    int n = Math.max(1, settings.categories());
    for (int i = 0; i < n; i++) {
      int capacity = settings.tickets() / n + (i < settings.tickets() % n ? 1 : 0);
      array.add(new JsonObject()
          .put("name", "Category " + (char) ('A' + i % 26) + (i >= 26 ? String.valueOf(i / 26) : ""))
          .put("priceCents", settings.pay().free() ? 0 : 2500 + 1000 * i)
          .put("currency", "EUR")
          .put("capacity", capacity));
    }
    return array;
  }
}
