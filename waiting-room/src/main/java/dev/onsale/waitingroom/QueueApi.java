package dev.onsale.waitingroom;

import dev.onsale.common.ClientAddress;
import dev.onsale.common.ApiException;
import dev.onsale.common.BearerToken;
import dev.onsale.common.Json;
import dev.onsale.common.RequestBodies;
import dev.onsale.common.Tokens;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The queue's HTTP API: join, status (polled), status as a server-sent event stream, and the public
 * overview with the fairness data of a random pre-queue.
 */
final class QueueApi {

  static final String SHUFFLE_RULE = "pre-queue order = arrival numbers 1..preQueueSize sorted by the first 8 bytes "
      + "of SHA-256(seed + \":\" + n) as an unsigned big-endian integer (ties by n); seedHash = SHA-256(seed); "
      + "later arrivals follow in arrival order";
  private static final long MIN_TOKEN_SECONDS = 3_600;
  private static final long MAX_TOKEN_SECONDS = 30L * 24 * 3_600;

  private final WaitingRoomRuntime runtime;

  QueueApi(WaitingRoomRuntime runtime) {
    this.runtime = runtime;
  }

  void mount(Router router) {
    router.post("/api/v1/events/:eventId/queue").handler(this::join);
    router.get("/api/v1/events/:eventId/queue").handler(this::overview);
    router.get("/api/v1/events/:eventId/queue/status").handler(this::status);
    router.post("/api/v1/events/:eventId/queue/alive").handler(this::alive);
    router.post("/api/v1/events/:eventId/queue/leave").handler(this::leave);
    router.get("/api/v1/events/:eventId/queue/events").handler(new QueueEventStream(runtime, this)::handle);
  }

  private void join(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    joinBody(ctx); // validation before the work: a malformed body is refused whatever the event's state
    long now = runtime.now();
    runtime.snapshots().get(eventId)
        .compose(snapshot -> {
          EventInfo event = existing(snapshot);
          if (!event.meta().waitingRoomOn()) {
            // No queue guards this event: the shop is open to everyone without a token.
            return Future.succeededFuture(new Joined(snapshot, 0, null, false));
          }
          if (!event.queueOpen(now)) {
            return Future.failedFuture(notOpen(event, now));
          }
          if (event.saleEnded(now)) {
            return Future.failedFuture(ApiException.conflict("queue_closed", "the sale of this event has ended"));
          }
          return presentedToken(ctx, eventId)
              .compose(claims -> claims != null
                  ? Future.succeededFuture(new Joined(snapshot, claims.number(), claims.token(), false))
                  : solvedIfAsked(ctx, event, now).compose(solved -> newNumber(ctx, snapshot, now)));
        })
        .compose(joined -> respondJoined(ctx, joined, now))
        .onFailure(ctx::fail);
  }

  /** A new number for an event with proof-of-work joins takes a solved, unused challenge. */
  private Future<Void> solvedIfAsked(RoutingContext ctx, EventInfo event, long now) {
    return event.meta().powJoin() ? runtime.challenges().redeem(event, joinBody(ctx), now) : Future.succeededFuture();
  }

  private Future<Joined> newNumber(RoutingContext ctx, QueueSnapshot snapshot, long now) {
    EventInfo event = snapshot.event();
    return runtime.numbers().take(event.id(), ClientAddress.of(ctx, runtime.settings().trustForwardedFor()), now)
        .map(number -> {
          String token = runtime.tokens().queueToken(event.id(), number, memberId(),
              (int) tokenSeconds(event, now));
          runtime.metrics().joined(event.id());
          return new Joined(snapshot, number, token, true);
        });
  }

  private Future<Void> respondJoined(RoutingContext ctx, Joined joined, long now) {
    EventInfo event = joined.snapshot.event();
    if (joined.token == null) {
      JsonObject open = new JsonObject().put("eventId", event.id()).put("state", QueueStatus.ADMITTED)
          .put("waitingRoom", "off").putNull("queueToken").putNull("number");
      Json.send(ctx, 200, open);
      return Future.succeededFuture();
    }
    QueueCookie.write(ctx, event.id(), joined.token, tokenSeconds(event, now), runtime.settings().secureCookies());
    return runtime.status().of(joined.snapshot, joined.number, now)
        .map(status -> {
          status.put("queueToken", joined.token).put("number", joined.number).put("waitingRoom", "on");
          Json.send(ctx, joined.fresh ? 201 : 200, status);
          return null;
        });
  }

  /**
   * A token the buyer already holds for this event. An explicit one (header or body) must be valid;
   * a stale cookie (say, from last year's sale) is simply replaced by a new number.
   */
  private Future<Presented> presentedToken(RoutingContext ctx, long eventId) {
    JsonObject body = joinBody(ctx);
    if (body.getBoolean("rejoin", false)) {
      // The buyer's turn ended (lapsed, ordered or released) and they ask for a new place at the back.
      return Future.succeededFuture(null);
    }
    String explicit = BearerToken.from(ctx);
    if (explicit == null) {
      Object token = body.getValue("queueToken");
      if (token != null && !(token instanceof String)) {
        throw ApiException.invalid("queueToken", "must be a string");
      }
      explicit = (String) token;
    }
    Tokens tokens = runtime.tokens();
    if (explicit != null) {
      String token = explicit;
      return tokens.verify(token, Tokens.QUEUE, eventId).map(claims -> new Presented(claims.number(), token));
    }
    String cookie = QueueCookie.read(ctx, eventId);
    if (cookie == null) {
      return Future.succeededFuture(null);
    }
    return tokens.verify(cookie, Tokens.QUEUE, eventId)
        .map(claims -> new Presented(claims.number(), cookie))
        .otherwise((Presented) null);
  }

  private static final java.util.Set<String> JOIN_FIELDS = java.util.Set.of("queueToken", "rejoin", "challenge", "nonce");

  /**
   * The optional join body: {@code {"queueToken", "rejoin", "challenge", "nonce"}}, each optional;
   * no body at all is fine. Anything else is refused: a JSON object of known fields, of their types.
   */
  private static JsonObject joinBody(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().buffer().length() == 0) {
      return new JsonObject();
    }
    JsonObject body = RequestBodies.object(ctx);
    RequestBodies.onlyFields(body, JOIN_FIELDS, "");
    Object rejoin = body.getValue("rejoin");
    if (rejoin != null && !(rejoin instanceof Boolean)) {
      throw ApiException.invalid("rejoin", "must be true or false");
    }
    if (body.containsKey("queueToken")) {
      RequestBodies.requireString(body, "queueToken", 1, 4096);
    }
    return body; // challenge and nonce are read, with their own errors, by JoinChallenges
  }

  private void status(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    verifiedNumber(ctx, eventId)
        .compose(number -> runtime.snapshots().get(eventId)
            .compose(snapshot -> runtime.status().of(existingSnapshot(snapshot), number, runtime.now())))
        .onSuccess(status -> Json.send(ctx, 200, status))
        .onFailure(ctx::fail);
  }

  /** The admitted buyer's page is here (loaded, shown again): a slot it left is put back. */
  private void alive(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    verifiedNumber(ctx, eventId)
        .compose(number -> runtime.liveness().restore(eventId, number))
        .onSuccess(lapsesAt -> ctx.response().setStatusCode(204).putHeader("Cache-Control", "no-store").end())
        .onFailure(ctx::fail);
  }

  /** The admitted buyer's page is going away ({@code pagehide}, sent as a beacon with the cookie). */
  private void leave(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    verifiedNumber(ctx, eventId)
        .compose(number -> runtime.liveness().leave(eventId, number, runtime.now()))
        .onSuccess(done -> ctx.response().setStatusCode(204).putHeader("Cache-Control", "no-store").end())
        .onFailure(ctx::fail);
  }

  /** The buyer's arrival number from a valid queue token (Bearer header first, else the cookie). */
  Future<Long> verifiedNumber(RoutingContext ctx, long eventId) {
    String token = BearerToken.from(ctx);
    if (token == null) {
      token = QueueCookie.read(ctx, eventId);
    }
    return runtime.tokens().verify(token, Tokens.QUEUE, eventId).map(Tokens.TokenClaims::number);
  }

  private void overview(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    long now = runtime.now();
    runtime.snapshots().get(eventId)
        .map(snapshot -> overview(existingSnapshot(snapshot), now))
        .onSuccess(body -> Json.send(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private static JsonObject overview(QueueSnapshot snapshot, long now) {
    EventInfo event = snapshot.event();
    String queue;
    if (event.saleEnded(now)) {
      queue = QueueStatus.CLOSED;
    } else if (!event.queueOpen(now)) {
      queue = "not_open";
    } else if (snapshot.availability().soldOut()) {
      queue = QueueStatus.SOLD_OUT;
    } else if (!event.saleStarted(now)) {
      queue = QueueStatus.PREQUEUE;
    } else {
      queue = "admitting";
    }
    Availability availability = snapshot.availability();
    JsonObject body = new JsonObject()
        .put("eventId", event.id())
        .put("name", event.meta().name())
        .put("slug", event.meta().slug())
        .put("waitingRoom", event.meta().waitingRoomOn() ? "on" : "off")
        .put("queue", queue)
        .put("queueOpensAt", QueueStatus.iso(event.meta().queueOpensAt()))
        .put("saleStartsAt", QueueStatus.iso(event.meta().saleStartsAt()))
        .put("saleEndsAt", QueueStatus.iso(event.meta().saleEndsAt()))
        .put("admissionRatePerMinute", event.admissionRatePerMinute())
        .put("maxActiveShoppers", event.maxActiveShoppers())
        .put("paused", event.meta().paused())
        .put("serving", snapshot.serving())
        .put("joined", snapshot.arrivals())
        .put("waiting", snapshot.waiting())
        .put("remainingTickets", availability.known() ? availability.available() : null)
        .put("preQueue", event.meta().randomPreQueue() ? "random" : "fifo");
    if (event.meta().randomPreQueue()) {
      body.put("seedHash", snapshot.seedHash())
          .put("seed", snapshot.revealedSeed())
          .put("preQueueSize", snapshot.preQueueClosed() ? snapshot.preQueueSize() : null)
          .put("shuffle", SHUFFLE_RULE);
    }
    return body;
  }

  private static EventInfo existing(QueueSnapshot snapshot) {
    return existingSnapshot(snapshot).event();
  }

  static QueueSnapshot existingSnapshot(QueueSnapshot snapshot) {
    if (snapshot == null) {
      throw ApiException.notFound("event");
    }
    return snapshot;
  }

  private static ApiException notOpen(EventInfo event, long now) {
    long seconds = (long) Math.ceil((event.meta().queueOpensAt() - now) / 1000.0);
    return ApiException.conflict("queue_not_open",
        "the queue opens at " + QueueStatus.iso(event.meta().queueOpensAt()))
        .withDetails(new JsonObject()
            .put("queueOpensAt", QueueStatus.iso(event.meta().queueOpensAt()))
            .put("secondsUntilOpen", seconds));
  }

  /** A queue token lives until an hour after the sale ends (at least an hour, at most 30 days). */
  private static long tokenSeconds(EventInfo event, long now) {
    long saleEndsAt = event.meta().saleEndsAt();
    long untilEnd = saleEndsAt == Long.MAX_VALUE ? MAX_TOKEN_SECONDS : (saleEndsAt - now) / 1000;
    return Math.max(MIN_TOKEN_SECONDS, Math.min(MAX_TOKEN_SECONDS, untilEnd + 3_600));
  }

  private record Presented(long number, String token) {}

  /**
   * Tells two holders of one number apart (numbering restarts if Redis loses its data). Not a
   * secret, as the token is signed: a thread-local random spares the lock of the secure one.
   */
  private static String memberId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private record Joined(QueueSnapshot snapshot, long number, String token, boolean fresh) {}
}
