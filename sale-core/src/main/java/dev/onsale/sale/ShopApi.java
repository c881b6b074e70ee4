package dev.onsale.sale;

import static dev.onsale.common.RequestBodies.pathId;

import dev.onsale.common.AdminAuth;
import dev.onsale.common.ApiException;
import dev.onsale.common.ErrorHandler;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.RequestBodies;
import dev.onsale.common.Tokens;
import dev.onsale.common.WebModule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The buyer's API: event info, reservations, orders and ticket PDFs. */
final class ShopApi implements WebModule {

  private static final Logger LOG = LoggerFactory.getLogger(ShopApi.class);
  static final String EVENT = "onsale.event";
  static final String ADMISSION = "onsale.admission";
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{2,}");
  private static final Pattern PDF_FILE = Pattern.compile("(\\d{1,18})\\.pdf");

  private final EventCache<Event> eventCache;
  private final EventCache<Availability> availabilityCache;
  private final EventRepository events;
  private final SaleRepository sales;
  private final Idempotency idempotency;
  private final Tokens tokens;
  private final Redis redis;
  private final RedisKeys keys;
  private final SaleMetrics metrics;
  private final ReservationBatcher batcher;

  ShopApi(EventCache<Event> eventCache, EventRepository events, SaleRepository sales, Idempotency idempotency,
          Tokens tokens, Redis redis, RedisKeys keys, SaleMetrics metrics, ReservationBatcher batcher) {
    this.eventCache = eventCache;
    this.availabilityCache = new EventCache<>(1000, id -> eventCache.get(id).compose(events::availability));
    this.events = events;
    this.sales = sales;
    this.idempotency = idempotency;
    this.tokens = tokens;
    this.redis = redis;
    this.keys = keys;
    this.metrics = metrics;
    this.batcher = batcher;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/v1/events/:eventId").handler(this::showEvent);
    router.post("/api/v1/events/:eventId/reservations")
        .handler(this::loadEvent)
        .handler(this::checkAdmission)
        .handler(this::reserve);
    router.delete("/api/v1/reservations/:reservationId").handler(this::release);
    router.post("/api/v1/reservations/:reservationId/order").handler(this::order);
    router.get("/api/v1/orders/:code").handler(this::showOrder);
    router.get("/api/v1/orders/:code/tickets/:file").handler(this::ticketPdf);
  }

  private void showEvent(RoutingContext ctx) {
    long eventId = pathId(ctx, "eventId", "event");
    Future.all(eventCache.get(eventId), availabilityCache.get(eventId))
        .onSuccess(all -> {
          Event event = all.resultAt(0);
          Availability availability = all.resultAt(1);
          JsonObject body = event.toJson();
          body.remove("maxActiveShoppers");
          JsonArray categories = body.getJsonArray("categories");
          for (int i = 0; i < categories.size(); i++) {
            JsonObject c = categories.getJsonObject(i);
            c.put("available", availability.availableIn(c.getLong("id")));
          }
          body.put("available", availability.available())
              .put("soldOut", availability.soldOut())
              .put("saleOpen", !event.paused() && event.saleOpenAt(Instant.now()));
          ctx.response().putHeader("Cache-Control", "public, max-age=1");
          ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
        })
        .onFailure(ctx::fail);
  }

  private void loadEvent(RoutingContext ctx) {
    eventCache.get(pathId(ctx, "eventId", "event"))
        .onSuccess(event -> {
          ctx.put(EVENT, event);
          ctx.next();
        })
        .onFailure(ctx::fail);
  }

  /**
   * While the event's waiting room is on, the shop accepts nothing without a valid admission token
   * for this event: verified from its signature alone, no database read.
   */
  private void checkAdmission(RoutingContext ctx) {
    Event event = ctx.get(EVENT);
    if (!event.waitingRoom()) {
      ctx.next();
      return;
    }
    tokens.verify(AdminAuth.bearer(ctx), Tokens.ADMISSION, event.id())
        .onSuccess(claims -> {
          ctx.put(ADMISSION, claims);
          ctx.next();
        })
        .onFailure(e -> {
          metrics.reservation(event.id(), SaleMetrics.REJECTED);
          ctx.fail(e);
        });
  }

  private void reserve(RoutingContext ctx) {
    Event event = ctx.get(EVENT);
    Tokens.TokenClaims admission = ctx.get(ADMISSION);
    List<long[]> items;
    try {
      checkSaleOpen(event, Instant.now());
      items = parseItems(RequestBodies.object(ctx), event);
    } catch (ApiException e) {
      metrics.reservation(event.id(), SaleMetrics.REJECTED);
      throw e;
    }
    Long admissionNumber = admission == null ? null : admission.number();
    idempotency.run(ctx, "reserve:" + event.id() + ":" + admissionNumber, () -> claim(event, admissionNumber, items)
            .map(hold -> {
              metrics.reservation(event.id(), SaleMetrics.CREATED);
              markChanged(ctx, event.id());
              if (admissionNumber != null) {
                extendAdmission(event.id(), admissionNumber, hold.expiresAt());
              }
              return new Reply(201, holdJson(hold));
            })
            .recover(e -> e instanceof SaleRepository.SoldOut soldOut
                ? soldOutReply(event, soldOut)
                : Future.failedFuture(e)))
        .onSuccess(reply -> ErrorHandler.json(ctx, reply.status(), reply.body()))
        .onFailure(ctx::fail);
  }

  /** One category goes through the coalescing batcher; several at once claim together, all or none. */
  private Future<SaleRepository.Hold> claim(Event event, Long admissionNumber, List<long[]> items) {
    if (items.size() == 1 && batcher != null) {
      return batcher.reserve(event, admissionNumber, items.get(0)[0], (int) items.get(0)[1]);
    }
    return sales.reserve(event.id(), admissionNumber, event.holdSeconds(), items);
  }

  private Future<Reply> soldOutReply(Event event, SaleRepository.SoldOut soldOut) {
    metrics.reservation(event.id(), SaleMetrics.SOLD_OUT);
    // The cached counts (at most a second old): at sell-out every refused buyer would otherwise
    // add a count of the event's tickets to the database's load.
    return availabilityCache.get(event.id()).map(availability -> {
      JsonObject available = new JsonObject();
      availability.categories().forEach(c -> available.put(String.valueOf(c.categoryId()), c.available()));
      return new Reply(409, new JsonObject()
          .put("error", "sold_out")
          .put("message", "not enough tickets left in category " + soldOut.categoryId())
          .put("categoryId", soldOut.categoryId())
          .put("available", available)
          .put("soldOut", availability.soldOut()));
    });
  }

  private static void checkSaleOpen(Event event, Instant now) {
    if (event.paused()) {
      throw ApiException.conflict("sale_paused", "the organizer has paused this sale; try again later");
    }
    if (now.isBefore(event.saleStartsAt())) {
      throw new ApiException(409, "sale_not_started", "the sale starts at " + event.saleStartsAt(),
          new JsonObject().put("saleStartsAt", event.saleStartsAt().toString()), null);
    }
    if (!now.isBefore(event.saleEndsAt())) {
      throw new ApiException(409, "sale_ended", "the sale ended at " + event.saleEndsAt(),
          new JsonObject().put("saleEndsAt", event.saleEndsAt().toString()), null);
    }
  }

  /** {"items":[{"categoryId":..,"quantity":..}]}: known categories, each once, within the order limit. */
  private static List<long[]> parseItems(JsonObject body, Event event) {
    RequestBodies.onlyFields(body, Set.of("items"), "");
    JsonArray array = RequestBodies.requireArray(body, "items", 1, event.categories().size());
    List<long[]> items = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    int total = 0;
    for (int i = 0; i < array.size(); i++) {
      String where = "items[" + i + "]";
      JsonObject item = RequestBodies.objectAt(array, i, "items");
      RequestBodies.onlyFields(item, Set.of("categoryId", "quantity"), where);
      long categoryId = RequestBodies.requireLong(item, "categoryId", 1, Long.MAX_VALUE);
      if (event.category(categoryId).isEmpty()) {
        throw ApiException.invalid(where + ".categoryId", "no such category in this event");
      }
      if (!seen.add(categoryId)) {
        throw ApiException.invalid(where + ".categoryId", "names a category twice");
      }
      int quantity = RequestBodies.requireInt(item, "quantity", 1, event.maxTicketsPerOrder());
      total += quantity;
      items.add(new long[] {categoryId, quantity});
    }
    if (total > event.maxTicketsPerOrder()) {
      throw ApiException.badRequest("too_many_tickets",
          "at most " + event.maxTicketsPerOrder() + " tickets per order");
    }
    return items;
  }

  private static JsonObject holdJson(SaleRepository.Hold hold) {
    JsonArray tickets = new JsonArray();
    hold.tickets().forEach(t -> tickets.add(new JsonObject().put("id", t.id()).put("categoryId", t.categoryId())));
    return new JsonObject()
        .put("id", hold.id().toString())
        .put("eventId", hold.eventId())
        .put("expiresAt", dev.onsale.common.Json.instant(hold.expiresAt()))
        .put("tickets", tickets);
  }

  private void release(RoutingContext ctx) {
    UUID reservationId = reservationId(ctx);
    sales.release(reservationId)
        .onSuccess(released -> {
          markChanged(ctx, released.eventId());
          freeAdmission(released.eventId(), released.admissionNumber());
          ErrorHandler.json(ctx, 200, new JsonObject().put("id", reservationId.toString()).put("status", "released"));
        })
        .onFailure(ctx::fail);
  }

  private void order(RoutingContext ctx) {
    UUID reservationId = reservationId(ctx);
    JsonObject body = RequestBodies.object(ctx);
    RequestBodies.onlyFields(body, Set.of("buyer"), "");
    JsonObject buyer = RequestBodies.requireObject(body, "buyer");
    RequestBodies.onlyFields(buyer, Set.of("name", "email"), "buyer");
    String name = RequestBodies.requireString(buyer, "name", 1, 200);
    String email = RequestBodies.requireString(buyer, "email", 3, 254);
    if (!EMAIL.matcher(email).matches()) {
      throw ApiException.invalid("buyer.email", "is not an e-mail address");
    }
    String code = Codes.orderCode();
    String secret = Codes.secret();
    idempotency.run(ctx, "order:" + reservationId, () -> sales.placeOrder(reservationId, code, secret, name, email)
            .map(placed -> {
              metrics.order(placed.eventId());
              markChanged(ctx, placed.eventId());
              freeAdmission(placed.eventId(), placed.admissionNumber());
              LOG.info("order placed: event={} order={} tickets={}", placed.eventId(), code, placed.tickets().size());
              return new Reply(201, orderJson(code, secret, placed));
            }))
        .onSuccess(reply -> ErrorHandler.json(ctx, reply.status(), reply.body()))
        .onFailure(ctx::fail);
  }

  private static JsonObject orderJson(String code, String secret, SaleRepository.Placed placed) {
    JsonArray tickets = new JsonArray();
    placed.tickets().forEach(t -> tickets.add(new JsonObject().put("id", t.id()).put("categoryId", t.categoryId())));
    return new JsonObject()
        .put("code", code)
        .put("secret", secret)
        .put("status", "paid")
        .put("eventId", placed.eventId())
        .put("totalCents", placed.totalCents())
        .put("currency", placed.currency())
        .put("tickets", tickets)
        .put("url", "/api/v1/orders/" + code + "?secret=" + secret);
  }

  private void showOrder(RoutingContext ctx) {
    authorizedOrder(ctx)
        .compose(order -> sales.orderTickets(order.id()).map(tickets -> {
          boolean paid = "paid".equals(order.status());
          JsonArray array = new JsonArray();
          for (SaleRepository.OrderTicket t : tickets) {
            array.add(new JsonObject()
                .put("id", t.id())
                .put("categoryId", t.categoryId())
                .put("category", t.categoryName())
                .put("pdfUrl", paid && t.active() && t.pdfReady()
                    ? "/api/v1/orders/" + order.code() + "/tickets/" + t.id() + ".pdf?secret=" + order.secret()
                    : null));
          }
          return new JsonObject()
              .put("code", order.code())
              .put("status", order.status())
              .put("eventId", order.eventId())
              .put("buyer", new JsonObject().put("name", order.buyerName()).put("email", order.buyerEmail()))
              .put("totalCents", order.totalCents())
              .put("currency", order.currency())
              .put("createdAt", dev.onsale.common.Json.instant(order.createdAt()))
              .put("tickets", array);
        }))
        .onSuccess(body -> ErrorHandler.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void ticketPdf(RoutingContext ctx) {
    var matcher = PDF_FILE.matcher(ctx.pathParam("file"));
    if (!matcher.matches()) {
      throw ApiException.notFound("ticket");
    }
    long ticketId = Long.parseLong(matcher.group(1));
    authorizedOrder(ctx)
        .compose(order -> "paid".equals(order.status())
            ? sales.ticketPdfPath(order.id(), ticketId)
            : Future.succeededFuture(null))
        .onSuccess(path -> {
          if (path == null) {
            ctx.fail(ApiException.notFound("ticket PDF (it may not be ready yet)"));
            return;
          }
          ctx.response()
              .putHeader("Content-Type", "application/pdf")
              .putHeader("Content-Disposition", "inline; filename=\"ticket-" + ticketId + ".pdf\"")
              .putHeader("Cache-Control", "private, no-store")
              .sendFile(path)
              .onFailure(e -> {
                if (!ctx.response().headWritten()) {
                  ctx.fail(ApiException.notFound("ticket PDF"));
                }
              });
        })
        .onFailure(ctx::fail);
  }

  /** The order whose code and secret both match; any mismatch is the same 404, leaking nothing. */
  private Future<SaleRepository.StoredOrder> authorizedOrder(RoutingContext ctx) {
    String code = ctx.pathParam("code");
    String secret = ctx.request().getParam("secret");
    if (!Codes.looksLikeOrderCode(code) || secret == null || secret.length() > 128) {
      return Future.failedFuture(ApiException.notFound("order"));
    }
    return sales.findOrder(code).compose(order -> order != null && sameSecret(order.secret(), secret)
        ? Future.succeededFuture(order)
        : Future.failedFuture(ApiException.notFound("order")));
  }

  private static boolean sameSecret(String expected, String given) {
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private static UUID reservationId(RoutingContext ctx) {
    String raw = ctx.pathParam("reservationId");
    try {
      if (raw != null && raw.length() == 36) {
        return UUID.fromString(raw);
      }
    } catch (IllegalArgumentException ignored) {
      // fall through: not a reservation id
    }
    throw ApiException.notFound("reservation");
  }

  private void markChanged(RoutingContext ctx, long eventId) {
    ctx.vertx().eventBus().send(AvailabilityVerticle.DIRTY_ADDRESS, eventId);
  }

  /** The admitted shopper holds tickets: keep the slot counted until the hold ends. */
  private void extendAdmission(long eventId, long number, Instant until) {
    redis.send(Request.cmd(Command.ZADD).arg(keys.event(eventId).activeShoppers()).arg("XX")
            .arg(until.toEpochMilli()).arg(number))
        .onFailure(e -> LOG.warn("could not extend admission {} of event {}: {}", number, eventId, e.toString()));
  }

  /** The shopper ordered or let go: the slot is free at once for the next in line. */
  private void freeAdmission(long eventId, Long number) {
    if (number == null) {
      return;
    }
    redis.send(Request.cmd(Command.ZREM).arg(keys.event(eventId).activeShoppers()).arg(number))
        .onFailure(e -> LOG.warn("could not free admission {} of event {}: {}", number, eventId, e.toString()));
  }
}
