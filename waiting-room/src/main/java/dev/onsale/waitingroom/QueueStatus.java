package dev.onsale.waitingroom;

import dev.onsale.common.Json;
import dev.onsale.common.Tokens;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What one buyer's place in the queue looks like right now. Everything comes from the in-memory
 * snapshot except for a buyer whose turn has come: one script then puts back a slot their page
 * left (see {@link AdmissionLiveness}) and tells whether the admission is still live (unclaimed
 * admissions lapse after the grace period).
 */
final class QueueStatus {

  static final String PREQUEUE = "prequeue";
  static final String WAITING = "waiting";
  static final String ADMITTED = "admitted";
  static final String SOLD_OUT = "sold_out";
  static final String CLOSED = "closed";

  /**
   * An admission token stops a little before its slot lapses in Redis, so that the sale core never
   * accepts a token whose slot the controller already gave to someone else.
   */
  static final long TOKEN_MARGIN_MS = 3_000;

  private final AdmissionLiveness liveness;
  private final Tokens tokens;
  private final ShuffleOrders shuffles;

  QueueStatus(AdmissionLiveness liveness, Tokens tokens, ShuffleOrders shuffles) {
    this.liveness = liveness;
    this.tokens = tokens;
    this.shuffles = shuffles;
  }

  Future<JsonObject> of(QueueSnapshot snapshot, long number, long now) {
    EventInfo event = snapshot.event();
    JsonObject status = common(snapshot, now).put("number", number);
    if (!event.meta().waitingRoomOn()) {
      return Future.succeededFuture(status.put("state", ADMITTED));
    }
    if (event.saleEnded(now)) {
      return Future.succeededFuture(status.put("state", CLOSED).put("reason", "sale_ended"));
    }
    if (snapshot.availability().soldOut()) {
      return Future.succeededFuture(status.put("state", SOLD_OUT));
    }
    if (!event.saleStarted(now)) {
      return Future.succeededFuture(preQueue(snapshot, number, now, status));
    }
    PreQueueShuffle.Order order = event.meta().randomPreQueue() && !snapshot.preQueueClosed()
        ? null : shuffles.ifReady(snapshot);
    if (order == null) {
      // The sale has started, the shuffle is being fixed or computed: a second, not a place yet.
      return Future.succeededFuture(status.put("state", WAITING).putNull("position").putNull("ahead")
          .putNull("etaSeconds"));
    }
    long position = order.positionOfNumber(number);
    status.put("progress", progress(snapshot.serving(), position));
    if (position <= snapshot.serving()) {
      return admitted(event, number, now, status);
    }
    return Future.succeededFuture(waiting(snapshot, position, status));
  }

  private JsonObject common(QueueSnapshot snapshot, long now) {
    EventInfo event = snapshot.event();
    Availability availability = snapshot.availability();
    JsonObject status = new JsonObject()
        .put("eventId", event.id())
        .put("eventName", event.meta().name())
        .put("admissionRatePerMinute", event.admissionRatePerMinute())
        .put("queueOpensAt", iso(event.meta().queueOpensAt()))
        .put("saleStartsAt", iso(event.meta().saleStartsAt()))
        .put("secondsUntilSale", Math.max(0, ceilSeconds(event.meta().saleStartsAt() - now)))
        .put("serving", snapshot.serving())
        .put("waiting", snapshot.waiting())
        .put("paused", event.meta().paused())
        .put("preQueue", event.meta().randomPreQueue() ? "random" : "fifo")
        .put("remainingTickets", availability.known() ? availability.available() : null)
        .put("heldTickets", availability.known() ? availability.held() : null)
        .put("pendingTickets", availability.known() ? availability.pending() : null)
        .put("allInBaskets", availability.allInBaskets());
    if (event.meta().randomPreQueue()) {
      status.put("seedHash", snapshot.seedHash())
          .put("seed", snapshot.revealedSeed())
          .put("preQueueSize", snapshot.preQueueClosed() ? snapshot.preQueueSize() : null);
    }
    return status;
  }

  private JsonObject preQueue(QueueSnapshot snapshot, long number, long now, JsonObject status) {
    EventInfo event = snapshot.event();
    status.put("state", PREQUEUE).put("progress", 0.0);
    if (event.meta().randomPreQueue()) {
      // Everyone in a random pre-queue is equal until the shuffle at the sale start.
      return status.putNull("position").putNull("ahead").putNull("etaSeconds");
    }
    long untilSale = ceilSeconds(event.meta().saleStartsAt() - now);
    return status.put("position", number)
        .put("ahead", number - 1)
        .put("etaSeconds", untilSale + eta(number, event.admissionRatePerMinute()));
  }

  private JsonObject waiting(QueueSnapshot snapshot, long position, JsonObject status) {
    EventInfo event = snapshot.event();
    long place = position - snapshot.serving();
    status.put("state", WAITING).put("position", place).put("ahead", place - 1);
    boolean admitting = !event.meta().paused() && snapshot.availability().admitsMore();
    if (!admitting) {
      // Paused, or every ticket is held right now: the line stands still until holds expire.
      return status.putNull("etaSeconds").put("waitingForTickets", !snapshot.availability().admitsMore());
    }
    double rate = event.admissionRatePerMinute();
    AchievedRate achieved = snapshot.achievedRate();
    if (achieved.steady() && achieved.perMinute() > 0) {
      // maxActiveShoppers may hold the line below the configured rate: trust what happens.
      rate = Math.min(rate, achieved.perMinute());
    }
    return status.put("etaSeconds", eta(place, rate));
  }

  private Future<JsonObject> admitted(EventInfo event, long number, long now, JsonObject status) {
    return liveness.restore(event.id(), number)
        .map(lapsesAt -> {
          long validMs = lapsesAt - now - TOKEN_MARGIN_MS;
          if (validMs < 1_000) {
            // Unclaimed past the grace period, or already ordered or released: the turn is over.
            return status.put("state", CLOSED).put("reason", "admission_ended")
                .putNull("position").putNull("ahead").putNull("etaSeconds");
          }
          int seconds = (int) Math.min(Integer.MAX_VALUE, validMs / 1000);
          return status.put("state", ADMITTED)
              .put("position", 0)
              .put("ahead", 0)
              .put("etaSeconds", 0)
              .put("progress", 1.0)
              .put("admissionToken", tokens.admissionToken(event.id(), number, seconds))
              .put("admissionExpiresAt", iso(now + seconds * 1000L));
        });
  }

  static long eta(double place, double ratePerMinute) {
    return (long) Math.ceil(place * 60.0 / Math.max(ratePerMinute, 0.001));
  }

  private static double progress(long serving, long position) {
    if (position <= 0) {
      return 1.0;
    }
    return Math.min(1.0, Math.max(0.0, (double) serving / position));
  }

  private static long ceilSeconds(long millis) {
    return (long) Math.ceil(millis / 1000.0);
  }

  static String iso(long epochMillis) {
    if (epochMillis <= 0 || epochMillis == Long.MAX_VALUE) {
      return null;
    }
    return Json.instant(Instant.ofEpochMilli(epochMillis));
  }
}
