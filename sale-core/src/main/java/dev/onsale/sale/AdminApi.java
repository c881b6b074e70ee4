package dev.onsale.sale;

import static dev.onsale.common.RequestBodies.pathId;

import dev.onsale.common.AdminAuth;
import dev.onsale.common.ApiException;
import dev.onsale.common.Json;
import dev.onsale.common.QueueCounts;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.RequestBodies;
import dev.onsale.common.WebModule;
import dev.onsale.sale.payment.PaymentService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import java.util.List;
import java.util.function.LongConsumer;

/** The organizer API: create and change events, watch their sales, cancel orders. */
final class AdminApi implements WebModule {

  private static final int MAX_PAGE = 500;
  private static final List<String> ORDER_STATUSES = List.of(
      "pending", "paid", "expired", "cancelled", "refunded", "refund_failed", "refund_due");

  private final AdminAuth auth;
  private final EventRepository events;
  private final SaleRepository sales;
  private final EventPublisher publisher;
  private final Redis redis;
  private final RedisKeys keys;
  private final LongConsumer onChange;
  private final PaymentService payments;

  AdminApi(AdminAuth auth, EventRepository events, SaleRepository sales, EventPublisher publisher,
           Redis redis, RedisKeys keys, PaymentService payments, LongConsumer onChange) {
    this.auth = auth;
    this.events = events;
    this.sales = sales;
    this.publisher = publisher;
    this.redis = redis;
    this.keys = keys;
    this.onChange = onChange;
    this.payments = payments;
  }

  @Override
  public void mount(Router router) {
    router.route("/api/v1/admin/*").handler(auth);
    router.post("/api/v1/admin/events").handler(this::create);
    router.get("/api/v1/admin/events").handler(this::list);
    router.get("/api/v1/admin/events/:eventId").handler(this::show);
    router.patch("/api/v1/admin/events/:eventId").handler(this::change);
    router.get("/api/v1/admin/events/:eventId/stats").handler(this::stats);
    router.get("/api/v1/admin/events/:eventId/orders").handler(this::orders);
    router.post("/api/v1/admin/orders/:code/cancel").handler(this::cancel);
    router.post("/api/v1/admin/orders/:code/mark-paid").handler(this::markPaid);
    router.post("/api/v1/admin/orders/:code/refund-confirmed").handler(this::refundConfirmed);
    router.post("/api/v1/admin/orders/:code/refund-retry").handler(this::refundRetry);
    router.get("/api/v1/admin/invariants").handler(this::invariants);
  }

  private void create(RoutingContext ctx) {
    EventInput.NewEvent input = EventInput.parseNew(RequestBodies.object(ctx), payments.settings().minPaymentSeconds());
    events.create(input)
        .compose(event -> publish(event).map(event))
        .onSuccess(event -> Json.send(ctx, 201, event.toJson()))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    events.list(MAX_PAGE)
        .onSuccess(list -> {
          JsonArray array = new JsonArray();
          list.forEach(e -> array.add(e.toJson()));
          Json.send(ctx, 200, new JsonObject().put("events", array));
        })
        .onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    events.find(pathId(ctx, "eventId", "event"))
        .onSuccess(event -> Json.send(ctx, 200, event.toJson()))
        .onFailure(ctx::fail);
  }

  private void change(RoutingContext ctx) {
    long eventId = pathId(ctx, "eventId", "event");
    JsonObject body = RequestBodies.object(ctx);
    events.find(eventId)
        .map(current -> EventInput.parseChange(body, current, payments.settings().minPaymentSeconds()))
        .compose(events::update)
        .compose(event -> publish(event).map(event))
        .onSuccess(event -> Json.send(ctx, 200, event.toJson()))
        .onFailure(ctx::fail);
  }

  /** Published to Redis for the waiting room; a Redis outage delays it, the publisher retries. */
  private Future<Void> publish(Event event) {
    onChange.accept(event.id());
    return publisher.publishMeta(event)
        .compose(ignored -> events.availability(event))
        .compose(publisher::publishAvailability)
        .recover(e -> Future.succeededFuture());
  }

  private void stats(RoutingContext ctx) {
    long eventId = pathId(ctx, "eventId", "event");
    events.find(eventId)
        .compose(event -> Future.all(events.availability(event), events.orderCounts(eventId), queueCounts(eventId)))
        .onSuccess(all -> {
          Availability availability = all.resultAt(0);
          EventRepository.OrderCounts orders = all.resultAt(1);
          JsonObject body = availability.toJson()
              .put("eventId", eventId)
              .put("orders", orders.paid())
              .put("cancelledOrders", orders.cancelled())
              .put("pendingOrders", orders.pending())
              .put("expiredOrders", orders.expired())
              .put("refundedOrders", orders.refunded())
              .put("refundTroubleOrders", orders.refundTrouble())
              .mergeIn(all.resultAt(2));
          Json.send(ctx, 200, body);
        })
        .onFailure(ctx::fail);
  }

  /** Waiting and admitted buyers from the waiting room's counters; null while Redis is away. */
  private Future<JsonObject> queueCounts(long eventId) {
    return QueueCounts.read(redis, keys.event(eventId))
        .map(counts -> new JsonObject().put("joined", counts.arrivals()).put("waiting", counts.waiting())
            .put("admitted", counts.admitted()))
        .otherwise(e -> new JsonObject().putNull("joined").putNull("waiting").putNull("admitted"));
  }

  private void orders(RoutingContext ctx) {
    long eventId = pathId(ctx, "eventId", "event");
    long after = queryLong(ctx, "after", 0, Long.MAX_VALUE, 0);
    int limit = (int) queryLong(ctx, "limit", 1, MAX_PAGE, 100);
    String status = ctx.request().getParam("status");
    if (status != null && !ORDER_STATUSES.contains(status)) {
      throw ApiException.invalid("status", "must be one of " + String.join(", ", ORDER_STATUSES));
    }
    events.find(eventId)
        .compose(event -> sales.ordersPage(eventId, after, limit, status))
        .onSuccess(page -> {
          JsonArray array = new JsonArray();
          page.forEach(order -> array.add(order.toJson()));
          Object next = page.size() == limit ? page.get(page.size() - 1).id() : null;
          Json.send(ctx, 200, new JsonObject().put("orders", array).put("next", next));
        })
        .onFailure(ctx::fail);
  }

  private static long queryLong(RoutingContext ctx, String name, long min, long max, long fallback) {
    String raw = ctx.request().getParam(name);
    if (raw == null) {
      return fallback;
    }
    try {
      long value = Long.parseLong(raw);
      if (value < min || value > max) {
        throw ApiException.invalid(name, "must be between " + min + " and " + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw ApiException.invalid(name, "must be a whole number");
    }
  }

  private void invariants(RoutingContext ctx) {
    new InvariantChecker(events.pool()).run()
        .onSuccess(report -> Json.send(ctx, 200, report))
        .onFailure(ctx::fail);
  }

  private Future<SaleRepository.StoredOrder> order(RoutingContext ctx) {
    String code = ctx.pathParam("code");
    if (!Codes.looksLikeOrderCode(code)) {
      return Future.failedFuture(ApiException.notFound("order"));
    }
    return sales.findOrder(code).compose(order -> order == null
        ? Future.failedFuture(ApiException.notFound("order"))
        : Future.succeededFuture(order));
  }

  /**
   * The {@code manual} provider: the organizer received the order's amount by bank transfer. Settled
   * like any confirmed payment: paid in time, completed late if its tickets can still be had, or
   * refunded (owed by the organizer) when not.
   */
  private void markPaid(RoutingContext ctx) {
    order(ctx)
        .compose(order -> payments.markPaid(order.id()))
        .onSuccess(settled -> {
          onChange.accept(settled.eventId());
          Json.send(ctx, 200, new JsonObject().put("code", settled.orderCode()).put("result", settled.result()));
        })
        .onFailure(ctx::fail);
  }

  /** The organizer refunded by hand what Onsale could not ({@code refund_due}, or {@code refund_failed}). */
  private void refundConfirmed(RoutingContext ctx) {
    order(ctx)
        .compose(order -> payments.ofOrder(order.id()).compose(list -> {
          List<Future<String>> done = list.stream()
              .filter(p -> "refund_due".equals(p.status()) || "refund_failed".equals(p.status()))
              .map(p -> payments.refundConfirmed(p.id()))
              .toList();
          if (done.isEmpty()) {
            return Future.failedFuture(ApiException.conflict("no_refund_owed", "this order owes no refund"));
          }
          return Future.all(done).map(order.code());
        }))
        .onSuccess(code -> Json.send(ctx, 200, new JsonObject().put("code", code).put("result", "refunded")))
        .onFailure(ctx::fail);
  }

  /** Tries a failed refund again through the payments queue. */
  private void refundRetry(RoutingContext ctx) {
    order(ctx)
        .compose(order -> payments.retryRefunds(order.id()).compose(ids -> ids.isEmpty()
            ? Future.failedFuture(ApiException.conflict("no_failed_refund", "this order has no failed refund"))
            : Future.succeededFuture(new JsonObject().put("code", order.code()).put("retrying", new JsonArray(ids)))))
        .onSuccess(body -> Json.send(ctx, 202, body))
        .onFailure(ctx::fail);
  }

  private void cancel(RoutingContext ctx) {
    String code = ctx.pathParam("code");
    if (!Codes.looksLikeOrderCode(code)) {
      throw ApiException.notFound("order");
    }
    sales.cancel(code)
        .onSuccess(cancelled -> {
          onChange.accept(cancelled.eventId());
          Json.send(ctx, 200, new JsonObject().put("code", code).put("status", "cancelled"));
        })
        .onFailure(ctx::fail);
  }
}
