package dev.onsale.sale;

import static dev.onsale.common.RequestBodies.pathId;

import dev.onsale.common.AdmissionSlots;
import dev.onsale.common.ApiException;
import dev.onsale.common.BearerToken;
import dev.onsale.common.ClientAddress;
import dev.onsale.common.Json;
import dev.onsale.common.RequestBodies;
import dev.onsale.common.Tokens;
import dev.onsale.common.WebModule;
import dev.onsale.sale.payment.PaymentService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
  /** How long a reservation waits for Redis to say whether its admission's slot is still there. */
  private static final long SLOT_CHECK_MILLIS = 1_000;

  private final EventCache<Event> eventCache;
  private final EventCache<Availability> availabilityCache;
  private final EventRepository events;
  private final SaleRepository sales;
  private final Idempotency idempotency;
  private final Tokens tokens;
  private final AdmissionSlots slots;
  private final SaleMetrics metrics;
  private final ReservationBatcher batcher;
  private final PaymentService payments;
  private final boolean trustForwardedFor;
  /** Whether the last slot check found Redis silent: an outage is logged when it starts and ends, not per buyer. */
  private volatile boolean slotChecksFailing;

  ShopApi(EventCache<Event> eventCache, EventRepository events, SaleRepository sales, Idempotency idempotency,
          Tokens tokens, AdmissionSlots slots, SaleMetrics metrics, ReservationBatcher batcher,
          PaymentService payments, boolean trustForwardedFor) {
    this.eventCache = eventCache;
    this.availabilityCache = new EventCache<>(1000, id -> eventCache.get(id).compose(events::availability));
    this.events = events;
    this.sales = sales;
    this.idempotency = idempotency;
    this.tokens = tokens;
    this.slots = slots;
    this.metrics = metrics;
    this.batcher = batcher;
    this.payments = payments;
    this.trustForwardedFor = trustForwardedFor;
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
    router.post("/api/v1/orders/:code/payment").handler(this::newPaymentAttempt);
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
            // Held and pending apart, so that the shop can tell "in baskets, may come back" from "sold out".
            Availability.PerCategory counts = availability.in(c.getLong("id"));
            c.put("available", counts.available()).put("held", counts.held()).put("pending", counts.pending());
          }
          body.put("available", availability.available())
              .put("held", availability.held())
              .put("pending", availability.pending())
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
   * for this event (verified from its signature alone, no database read) whose shopper slot is
   * still there: the queue's status says {@code admission_ended} once the slot is gone, and the
   * shop agrees.
   */
  private void checkAdmission(RoutingContext ctx) {
    Event event = ctx.get(EVENT);
    if (!event.waitingRoom()) {
      ctx.next();
      return;
    }
    tokens.verify(BearerToken.from(ctx), Tokens.ADMISSION, event.id())
        .compose(claims -> checkSlot(event.id(), claims.number()).map(claims))
        .onSuccess(claims -> {
          ctx.put(ADMISSION, claims);
          ctx.next();
        })
        .onFailure(e -> {
          metrics.reservation(event.id(), SaleMetrics.REJECTED);
          ctx.fail(e);
        });
  }

  /**
   * One {@code ZSCORE}: the admission's slot must be in the active-shoppers set and not lapsed (the
   * admission controller drops lapsed ones and gives them away). When Redis does not answer, the
   * signed token is enough: a sale goes on through a Redis outage, and the queue's status page,
   * Redis-only, says nothing else meanwhile.
   */
  private Future<Void> checkSlot(long eventId, long number) {
    return slotLive(eventId, number)
        .compose(live -> live ? Future.succeededFuture() : whyEnded(eventId, number));
  }

  private Future<Boolean> slotLive(long eventId, long number) {
    return slots.live(eventId, number, System.currentTimeMillis())
        .timeout(SLOT_CHECK_MILLIS, TimeUnit.MILLISECONDS)
        .map(live -> {
          if (slotChecksFailing) {
            slotChecksFailing = false;
            LOG.info("admission slots are checked again");
          }
          return live;
        })
        .recover(e -> {
          if (!slotChecksFailing) {
            slotChecksFailing = true;
            LOG.warn("could not check admission slots (event {}), letting signed admission tokens through: {}", eventId,
                e.toString());
          }
          return Future.succeededFuture(true);
        });
  }

  /** A turn ends at ordering too: that one keeps its own answer (only refused buyers pay this read). */
  private Future<Void> whyEnded(long eventId, long number) {
    return sales.admissionOrdered(eventId, number)
        .compose(ordered -> Future.failedFuture(ordered ? SaleRepository.admissionUsed() : admissionEnded()));
  }

  /** The queue's status says the same ({@code closed}, reason {@code admission_ended}) for a turn that is over. */
  private static ApiException admissionEnded() {
    return ApiException.conflict("admission_ended",
        "your turn to shop has ended (unused for too long, or given up); join the queue again");
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
              return new Reply(201, holdJson(hold, event, admissionNumber == null ? tokens.reservationSecret(hold.id()) : null));
            })
            .recover(e -> e instanceof SoldOut soldOut
                ? soldOutReply(event, soldOut)
                : Future.failedFuture(e)))
        .onSuccess(reply -> Json.send(ctx, reply.status(), reply.body()))
        .onFailure(ctx::fail);
  }

  /** One category goes through the coalescing batcher; several at once claim together, all or none. */
  private Future<Hold> claim(Event event, Long admissionNumber, List<long[]> items) {
    if (items.size() == 1 && batcher != null) {
      return batcher.reserve(event, admissionNumber, items.get(0)[0], (int) items.get(0)[1]);
    }
    return sales.reserve(event.id(), admissionNumber, event.holdSeconds(), items);
  }

  private Future<Reply> soldOutReply(Event event, SoldOut soldOut) {
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

  /**
   * The hold, with each line at today's price and the total the order will keep if placed now; and,
   * made without an admission, the secret its buyer needs to order or release it.
   */
  private static JsonObject holdJson(Hold hold, Event event, String secret) {
    JsonArray tickets = new JsonArray();
    Map<Long, Integer> counts = new LinkedHashMap<>();
    hold.tickets().forEach(t -> {
      tickets.add(new JsonObject().put("id", t.id()).put("categoryId", t.categoryId()));
      counts.merge(t.categoryId(), 1, Integer::sum);
    });
    JsonArray lines = new JsonArray();
    long total = 0;
    for (Map.Entry<Long, Integer> line : counts.entrySet()) {
      Event.Category category = event.category(line.getKey()).orElseThrow();
      lines.add(lineJson(category.id(), category.name(), line.getValue(), category.priceCents()));
      total += (long) category.priceCents() * line.getValue();
    }
    JsonObject json = new JsonObject()
        .put("id", hold.id().toString())
        .put("eventId", hold.eventId())
        .put("expiresAt", dev.onsale.common.Json.instant(hold.expiresAt()))
        .put("tickets", tickets)
        .put("lines", lines)
        .put("total", money(total, event.currency()));
    return secret == null ? json : json.put("secret", secret);
  }

  private static JsonObject lineJson(long categoryId, String name, int quantity, long unitCents) {
    return new JsonObject().put("categoryId", categoryId).put("category", name).put("quantity", quantity)
        .put("unitCents", unitCents).put("amountCents", unitCents * quantity);
  }

  private static JsonObject money(long amountCents, String currency) {
    return new JsonObject().put("amountCents", amountCents).put("currency", currency);
  }

  private void release(RoutingContext ctx) {
    UUID reservationId = reservationId(ctx);
    owner(ctx, reservationId)
        .compose(owner -> sales.release(reservationId, owner))
        .onSuccess(released -> {
          markChanged(ctx, released.eventId());
          freeAdmission(released.eventId(), released.admissionNumber());
          Json.send(ctx, 200, new JsonObject().put("id", reservationId.toString()).put("status", "released"));
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
    SaleRepository.PaymentTerms terms = new SaleRepository.PaymentTerms(UUID.randomUUID(),
        payments.provider().name(), ClientAddress.of(ctx, trustForwardedFor),
        payments.settings().maxPendingTicketsPerAddress());
    // The owner is part of the key's scope: someone else's repeat of the owner's key is not replayed.
    owner(ctx, reservationId)
        .compose(owner -> idempotency.run(ctx, "order:" + reservationId + ":" + ownerScope(owner),
            () -> sales.placeOrder(reservationId, owner, code, secret, name, email, terms)
            .map(placed -> {
              metrics.order(placed.eventId());
              markChanged(ctx, placed.eventId());
              // The admission ends at ordering: paying needs only the order secret, and the slot
              // (the shop's load is what the cap protects) goes to the next in line.
              freeAdmission(placed.eventId(), placed.admissionNumber());
              LOG.info("order placed: event={} order={} status={} tickets={}", placed.eventId(), code, placed.status(),
                  placed.tickets().size());
              return new Reply(201, orderJson(code, secret, placed, terms));
            })))
        .onSuccess(reply -> secretJson(ctx, reply.status(), reply.body()))
        .onFailure(ctx::fail);
  }

  private static JsonObject orderJson(String code, String secret, SaleRepository.Placed placed,
                                      SaleRepository.PaymentTerms terms) {
    JsonArray tickets = new JsonArray();
    placed.tickets().forEach(t -> tickets.add(new JsonObject().put("id", t.id()).put("categoryId", t.categoryId())));
    boolean pending = "pending".equals(placed.status());
    return new JsonObject()
        .put("code", code)
        .put("secret", secret)
        .put("status", placed.status())
        .put("eventId", placed.eventId())
        .put("total", money(placed.totalCents(), placed.currency()))
        .put("totalCents", placed.totalCents())
        .put("currency", placed.currency())
        .put("payment", pending ? new JsonObject()
            .put("id", terms.paymentId().toString())
            .put("provider", terms.provider())
            .put("status", "created")
            .put("url", PaymentService.payUrl(terms.paymentId()))
            .put("expiresAt", dev.onsale.common.Json.instant(placed.paymentExpiresAt())) : null)
        .put("tickets", tickets)
        .put("url", "/api/v1/orders/" + code + "?secret=" + secret)
        .put("pageUrl", "/orders/" + code + "?secret=" + secret);
  }

  /** An answer that carries an order secret is never stored by a cache. */
  private static void secretJson(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().putHeader("Cache-Control", "no-store");
    Json.send(ctx, status, body);
  }

  /** A new payment attempt for a pending order (after a decline, or a window that ended early at the provider). */
  private void newPaymentAttempt(RoutingContext ctx) {
    authorizedOrder(ctx)
        .compose(order -> payments.newAttempt(order.id()))
        .onSuccess(payment -> secretJson(ctx, 201, paymentJson(payment, true)))
        .onFailure(ctx::fail);
  }

  private static JsonObject paymentJson(PaymentService.StoredPayment payment, boolean payable) {
    return new JsonObject()
        .put("id", payment.id().toString())
        .put("provider", payment.provider())
        .put("status", payment.status())
        .put("url", payable ? PaymentService.payUrl(payment.id()) : null)
        .put("expiresAt", dev.onsale.common.Json.instant(payment.windowEndsAt()));
  }

  private void showOrder(RoutingContext ctx) {
    authorizedOrder(ctx)
        .compose(order -> Future.all(
                "pending".equals(order.status()) ? sales.keptTickets(order.id()) : sales.orderTickets(order.id()),
                payments.lines(order.id()), payments.ofOrder(order.id()), eventCache.get(order.eventId()))
            .map(all -> orderView(order, all.resultAt(0), all.resultAt(1), all.resultAt(2))
                .put("event", eventSummary(all.resultAt(3)))))
        .onSuccess(body -> secretJson(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private static JsonObject eventSummary(Event event) {
    return new JsonObject().put("id", event.id()).put("name", event.name()).put("venue", event.venue())
        .put("startsAt", dev.onsale.common.Json.instant(event.startsAt())).put("timeZone", event.timeZone());
  }

  /**
   * The order as its buyer sees it: status, what was bought at which price, the latest payment
   * attempt (payable while the order is pending and the attempt not ended), and the tickets with
   * their PDFs once paid.
   */
  private static JsonObject orderView(SaleRepository.StoredOrder order, List<SaleRepository.OrderTicket> tickets,
                                      List<dev.onsale.sale.payment.PaymentRequest.Line> lines,
                                      List<PaymentService.StoredPayment> attempts) {
    boolean paid = "paid".equals(order.status());
    boolean pending = "pending".equals(order.status());
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
    JsonArray lineArray = new JsonArray();
    lines.forEach(l -> lineArray.add(new JsonObject().put("category", l.name()).put("quantity", l.quantity())
        .put("unitCents", l.unitAmountMinor()).put("amountCents", l.unitAmountMinor() * l.quantity())));
    PaymentService.StoredPayment latest = attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    boolean payable = pending && latest != null && ("created".equals(latest.status()) || "open".equals(latest.status()));
    return new JsonObject()
        .put("code", order.code())
        .put("status", order.status())
        .put("eventId", order.eventId())
        .put("buyer", new JsonObject().put("name", order.buyerName()).put("email", order.buyerEmail()))
        .put("total", money(order.totalCents(), order.currency()))
        .put("totalCents", order.totalCents())
        .put("currency", order.currency())
        .put("lines", lineArray)
        .put("ticketCount", order.ticketCount())
        .put("createdAt", dev.onsale.common.Json.instant(order.createdAt()))
        .put("paidAt", order.paidAt() == null ? null : dev.onsale.common.Json.instant(order.paidAt()))
        .put("mailSentAt", order.mailSentAt() == null ? null : dev.onsale.common.Json.instant(order.mailSentAt()))
        .put("payment", latest == null ? null : paymentJson(latest, payable))
        .put("canRetryPayment", pending && latest != null && !payable && !"processing".equals(latest.status()))
        .put("keptUntil", pending && order.keepUntil() != null ? dev.onsale.common.Json.instant(order.keepUntil()) : null)
        .put("tickets", array);
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

  /**
   * Who asks to order or release a reservation: with the {@code secret} its reserve answer gave (made
   * without an admission), or with the admission token it was made with, whatever that token's age
   * (the hold's own end bounds it). Any other secret, or neither, finds no reservation; which
   * admission a token names is compared with the reservation's in the same statement that acts.
   */
  private Future<SaleRepository.Owner> owner(RoutingContext ctx, UUID reservationId) {
    String secret = ctx.request().getParam("secret");
    if (secret != null) {
      return tokens.isReservationSecret(reservationId, secret)
          ? Future.succeededFuture(SaleRepository.Owner.ofSecret())
          : Future.failedFuture(SaleRepository.reservationNotFound());
    }
    String token = BearerToken.from(ctx);
    if (token == null) {
      return Future.failedFuture(SaleRepository.reservationNotFound());
    }
    return tokens.verifyIssued(token, Tokens.ADMISSION)
        .map(claims -> SaleRepository.Owner.ofAdmission(claims.eventId(), claims.number()));
  }

  private static String ownerScope(SaleRepository.Owner owner) {
    return owner.admissionNumber() == null ? "secret" : owner.eventId() + ":" + owner.admissionNumber();
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
    slots.keepUntil(eventId, number, until.toEpochMilli())
        .onFailure(e -> LOG.warn("could not extend admission {} of event {}: {}", number, eventId, e.toString()));
  }

  /** The shopper ordered or let go: the slot is free at once for the next in line. */
  private void freeAdmission(long eventId, Long number) {
    if (number == null) {
      return;
    }
    slots.free(eventId, number)
        .onFailure(e -> LOG.warn("could not free admission {} of event {}: {}", number, eventId, e.toString()));
  }
}
