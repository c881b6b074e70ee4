package dev.onsale.waitingroom;

import dev.onsale.common.ApiException;
import dev.onsale.common.ClientAddress;
import dev.onsale.common.Json;
import dev.onsale.common.RequestBodies;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public, cacheable side of the queue, which costs the origin the same for a million waiting
 * buyers as for a thousand: the shared state ({@code /queue/state}, one document a second for
 * everyone), a random pre-queue's placement pages ({@code /queue/placement/{k}}, immutable once the
 * shuffle is fixed) and proof-of-work challenges ({@code /queue/challenge}, personal, not cached).
 * No token is read and no cookie is set.
 */
final class PublicQueueApi {

  static final int PLACEMENT_PAGE = 1000;
  /** Placement pages cover arrival numbers up to 10^10: far beyond any queue, bounded all the same. */
  static final long MAX_PLACEMENT_PAGE = 10_000_000L;
  private static final String STATE_CACHE_CONTROL = "public, max-age=1";
  private static final String PLACEMENT_CACHE_CONTROL = "public, max-age=86400, immutable";

  private final WaitingRoomRuntime runtime;
  /** The last document built per event, reused while the snapshot it came from is current. */
  private final Map<Long, Built> built = new ConcurrentHashMap<>();

  PublicQueueApi(WaitingRoomRuntime runtime) {
    this.runtime = runtime;
  }

  void mount(Router router) {
    router.get("/api/v1/events/:eventId/queue/state").handler(this::state);
    router.get("/api/v1/events/:eventId/queue/placement/:page").handler(this::placement);
    router.get("/api/v1/events/:eventId/queue/challenge").handler(this::challenge);
  }

  private void state(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    runtime.snapshots().get(eventId)
        .map(snapshot -> publicState(QueueApi.existingSnapshot(snapshot)))
        .onSuccess(state -> {
          HttpServerResponse response = ctx.response()
              .putHeader("Cache-Control", STATE_CACHE_CONTROL)
              .putHeader("ETag", state.etag());
          if (state.matches(ctx.request().getHeader("If-None-Match"))) {
            response.setStatusCode(304).end();
          } else {
            response.putHeader("Content-Type", "application/json").end(state.body());
          }
        })
        .onFailure(ctx::fail);
  }

  PublicQueueState publicState(QueueSnapshot snapshot) {
    Built known = built.get(snapshot.event().id());
    if (known != null && known.snapshot == snapshot) {
      return known.state;
    }
    PublicQueueState state = PublicQueueState.of(snapshot);
    built.put(snapshot.event().id(), new Built(snapshot, state));
    return state;
  }

  private void placement(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    long page = placementPage(ctx.pathParam("page"));
    runtime.snapshots().get(eventId)
        .compose(snapshot -> placementOrder(QueueApi.existingSnapshot(snapshot)))
        .onSuccess(placed -> {
          String body = placementPage(placed.snapshot, placed.order, page).encode();
          String etag = PublicQueueState.etag(body);
          HttpServerResponse response = ctx.response()
              .putHeader("Cache-Control", PLACEMENT_CACHE_CONTROL)
              .putHeader("ETag", etag);
          if (new PublicQueueState(body, etag).matches(ctx.request().getHeader("If-None-Match"))) {
            response.setStatusCode(304).end();
          } else {
            response.putHeader("Content-Type", "application/json").end(body);
          }
        })
        .onFailure(ctx::fail);
  }

  private static long placementPage(String raw) {
    if (raw == null || !raw.matches("[0-9]{1,8}") || Long.parseLong(raw) > MAX_PLACEMENT_PAGE) {
      throw ApiException.invalid("page", "must be a whole number from 0 to " + MAX_PLACEMENT_PAGE);
    }
    return Long.parseLong(raw);
  }

  /** The shuffle, once it can no longer change: always for a FIFO queue, after the sale start for a random one. */
  private Future<Placed> placementOrder(QueueSnapshot snapshot) {
    EventInfo event = snapshot.event();
    if (event.meta().randomPreQueue() && !snapshot.preQueueClosed()) {
      return Future.failedFuture(ApiException.conflict("placement_not_ready",
          "places are drawn when the sale starts at " + QueueStatus.iso(event.meta().saleStartsAt())));
    }
    PreQueueShuffle.Order order = runtime.shuffles().ifReady(snapshot);
    if (order == null) {
      return Future.failedFuture(ApiException.unavailable("placement_computing",
          "the places are being computed, try again in a second", 1));
    }
    return Future.succeededFuture(new Placed(snapshot, order));
  }

  /** Queue positions of arrival numbers {@code 1000k+1 .. 1000(k+1)}, in that order. */
  private static JsonObject placementPage(QueueSnapshot snapshot, PreQueueShuffle.Order order, long page) {
    long first = page * PLACEMENT_PAGE + 1;
    JsonArray places = new JsonArray();
    for (long number = first; number < first + PLACEMENT_PAGE; number++) {
      places.add(order.positionOfNumber(number));
    }
    EventInfo event = snapshot.event();
    JsonObject body = new JsonObject()
        .put("eventId", event.id())
        .put("page", page)
        .put("first", first)
        .put("last", first + PLACEMENT_PAGE - 1)
        .put("preQueue", event.meta().randomPreQueue() ? "random" : "fifo");
    if (event.meta().randomPreQueue()) {
      body.put("preQueueSize", snapshot.preQueueSize())
          .put("seedHash", snapshot.seedHash())
          .put("seed", snapshot.revealedSeed());
    }
    return body.put("places", places);
  }

  private void challenge(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    runtime.snapshots().get(eventId)
        .compose(snapshot -> {
          EventInfo event = QueueApi.existingSnapshot(snapshot).event();
          if (!event.meta().powJoin()) {
            return Future.failedFuture(ApiException.conflict("no_challenge",
                "joining this event takes no challenge"));
          }
          return runtime.challenges().issue(event,
              ClientAddress.of(ctx, runtime.settings().trustForwardedFor()), runtime.now());
        })
        .onSuccess(body -> Json.send(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private record Built(QueueSnapshot snapshot, PublicQueueState state) {}

  private record Placed(QueueSnapshot snapshot, PreQueueShuffle.Order order) {}
}
