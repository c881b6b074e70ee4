package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A small in-memory stand-in for Onsale's HTTP API, as the shared contract describes it, so the
 * load generator's flow and its integrity check are tested on their own. It admits buyers at a
 * steady pace, answers some reservations 503 (as an overloaded server does) and can be told to
 * sell a ticket twice, which the integrity check must catch.
 *
 * <p>Priced orders wait for their payment as DESIGN.md's "Paying for tickets" says: tickets kept
 * through the window and its grace, then back on sale; the test provider's page opened through a
 * 303 (every fourth opening answered 503 with Retry-After, as at the session rate); "Pay" and
 * "Decline"; new attempts; reconciliation expiring an open session some time after its window
 * ({@link #reconcileLagMillis}); a payment for an expired order completed when the same number of
 * tickets is free, refunded when not.
 */
final class FakeOnsale {

  static final String ADMIN = "fake-admin-token";

  private record Order(String code, String secret, List<long[]> tickets, long totalCents) {}

  private final Vertx vertx;
  private final boolean sellTwice;
  private HttpServer server;
  private long eventId;
  private final List<long[]> categories = new ArrayList<>(); // id, capacity, priceCents
  private final Map<Long, Deque<Long>> free = new HashMap<>();
  private final Map<String, JsonObject> reservations = new HashMap<>();
  private final Map<String, Order> orders = new LinkedHashMap<>();
  private final Map<String, String> orderStatus = new HashMap<>();
  private final Map<String, Long> windowEnds = new HashMap<>();
  private final Map<String, Long> reconcileAt = new HashMap<>();
  private final Map<String, String> sessionStatus = new HashMap<>(); // payment id -> created/open/paid/failed/expired
  private final Map<String, String> paymentOrder = new HashMap<>();
  private final Map<Long, Long> heldTickets = new HashMap<>(); // ticket -> category
  private final Map<Long, Long> keptTickets = new HashMap<>(); // ticket -> category, for pending orders
  private final Map<Long, Long> soldTickets = new HashMap<>();
  private long arrivals;
  private long serving;
  private long requests;
  private long stateReads;
  private long joinDelayMillis;
  private int joinsInFlight;
  private int maxJoinsInFlight;
  private long opens;
  private long lastTicketSold = -1;
  private long paymentMillis = 60_000;
  private long graceMillis = 10_000;
  private long reconcileLagMillis = 200;
  private final Map<String, Long> results = new HashMap<>();
  /** Reservation answers by Idempotency-Key: a repeated key gets the first answer again, as Onsale does. */
  private final Map<String, Object[]> replays = new HashMap<>();
  private JsonObject event;

  FakeOnsale(Vertx vertx, boolean sellTwice) {
    this.vertx = vertx;
    this.sellTwice = sellTwice;
  }

  /** Reconciliation ends an open session up to this long after its window (negative: never). */
  FakeOnsale reconcileLagMillis(long millis) {
    this.reconcileLagMillis = millis;
    return this;
  }

  /** What the pay page settled, by result, as the server counted it. */
  synchronized Map<String, Long> results() {
    return Map.copyOf(results);
  }

  /** Answers every join this much later, as a busy server would. */
  FakeOnsale joinDelayMillis(long millis) {
    this.joinDelayMillis = millis;
    return this;
  }

  /** The most joins that waited for their answer at the same time. */
  synchronized int maxJoinsInFlight() {
    return maxJoinsInFlight;
  }

  /** How often buyers read the public queue state. */
  synchronized long stateReads() {
    return stateReads;
  }

  Future<Integer> start() {
    vertx.setPeriodic(20, id -> serving += 3);
    vertx.setPeriodic(50, id -> sweep());
    server = vertx.createHttpServer();
    return server.requestHandler(req -> req.body().onSuccess(body -> {
      try {
        handle(req, body.length() == 0 ? new JsonObject() : body.toJsonObject());
      } catch (RuntimeException e) {
        send(req, 400, new JsonObject().put("error", "bad_request").put("message", String.valueOf(e)));
      }
    })).listen(0, "127.0.0.1").map(HttpServer::actualPort);
  }

  private void handle(HttpServerRequest req, JsonObject body) {
    String path = req.path();
    String[] p = path.split("/");
    String method = req.method().name();
    if (path.startsWith("/api/v1/admin/")) {
      if (!("Bearer " + ADMIN).equals(req.getHeader("Authorization"))) {
        send(req, 401, new JsonObject().put("error", "unauthorized"));
      } else if (method.equals("POST") && path.equals("/api/v1/admin/events")) {
        send(req, 201, createEvent(body));
      } else if (method.equals("GET") && path.endsWith("/stats")) {
        send(req, 200, stats());
      } else if (method.equals("GET") && path.endsWith("/orders")) {
        send(req, 200, ordersPage(Long.parseLong(req.getParam("after", "0")), Integer.parseInt(req.getParam("limit", "100"))));
      } else {
        send(req, 404, new JsonObject().put("error", "not_found"));
      }
    } else if (method.equals("POST") && path.endsWith("/queue")) {
      long n = ++arrivals;
      JsonObject joined = new JsonObject().put("queueToken", "q" + n).put("number", n).put("state", "waiting");
      if (joinDelayMillis <= 0) {
        send(req, 200, joined);
      } else {
        maxJoinsInFlight = Math.max(maxJoinsInFlight, ++joinsInFlight);
        vertx.setTimer(joinDelayMillis, id -> {
          joinsInFlight--;
          send(req, 200, joined);
        });
      }
    } else if (method.equals("GET") && path.endsWith("/queue/state")) {
      stateReads++;
      send(req, 200, new JsonObject().put("state", soldOut() ? "sold_out" : "admitting").put("serving", serving)
          .put("refreshSeconds", 1).put("ticketsLeft", freeCount()).put("preQueue", "fifo"));
    } else if (method.equals("GET") && path.endsWith("/queue/status")) {
      long n = Long.parseLong(req.getHeader("Authorization").substring("Bearer q".length()));
      if (soldOut()) {
        send(req, 200, new JsonObject().put("state", "sold_out").put("position", 0));
      } else if (n <= serving) {
        send(req, 200, new JsonObject().put("state", "admitted").put("admissionToken", "a" + n));
      } else {
        send(req, 200, new JsonObject().put("state", "waiting").put("position", n - serving).put("etaSeconds", 1));
      }
    } else if (method.equals("POST") && path.endsWith("/reservations")) {
      reserve(req, body);
    } else if (method.equals("POST") && path.endsWith("/order")) {
      order(req, p[4]);
    } else if (method.equals("GET") && p.length == 3 && p[1].equals("pay")) {
      openPayment(req, p[2]);
    } else if (method.equals("POST") && path.startsWith("/api/v1/payments/test/")) {
      decide(req, p[5], "succeed".equals(p[6]));
    } else if (method.equals("POST") && path.startsWith("/api/v1/orders/") && path.endsWith("/payment")) {
      newAttempt(req, p[4]);
    } else if (method.equals("GET") && path.startsWith("/api/v1/orders/")) {
      showOrder(req, p[4]);
    } else if (method.equals("GET") && path.startsWith("/api/v1/events/")) {
      send(req, 200, event);
    } else {
      send(req, 404, new JsonObject().put("error", "not_found"));
    }
  }

  private JsonObject createEvent(JsonObject body) {
    eventId = 42;
    paymentMillis = body.getInteger("paymentSeconds", 900) * 1000L;
    graceMillis = body.getInteger("paymentGraceSeconds", 120) * 1000L;
    long ticketId = 1000;
    JsonArray cats = new JsonArray();
    JsonArray in = body.getJsonArray("categories");
    for (int i = 0; i < in.size(); i++) {
      long id = 7 + i;
      int capacity = in.getJsonObject(i).getInteger("capacity");
      categories.add(new long[] {id, capacity, in.getJsonObject(i).getLong("priceCents", 0L)});
      Deque<Long> tickets = new ArrayDeque<>();
      for (int t = 0; t < capacity; t++) {
        tickets.add(ticketId++);
      }
      free.put(id, tickets);
      cats.add(in.getJsonObject(i).copy().put("id", id));
    }
    event = body.copy().put("id", eventId).put("categories", cats);
    return event;
  }

  private boolean soldOut() {
    return freeCount() == 0 && heldTickets.isEmpty() && keptTickets.isEmpty();
  }

  private void reserve(HttpServerRequest req, JsonObject body) {
    if (++requests % 7 == 0) {
      req.response().putHeader("Retry-After", "0");
      send(req, 503, new JsonObject().put("error", "overloaded"));
      return;
    }
    String key = req.getHeader("Idempotency-Key");
    Object[] replay = key == null ? null : replays.get(key);
    if (replay != null) {
      send(req, (Integer) replay[0], (JsonObject) replay[1]);
      return;
    }
    JsonObject item = body.getJsonArray("items").getJsonObject(0);
    long category = item.getLong("categoryId");
    int quantity = item.getInteger("quantity");
    Deque<Long> tickets = free.get(category);
    if (tickets.size() < quantity) {
      JsonObject answer = new JsonObject().put("error", "sold_out").put("message", "sold out").put("soldOut", soldOut());
      if (key != null) {
        replays.put(key, new Object[] {409, answer});
      }
      send(req, 409, answer);
      return;
    }
    JsonArray claimed = new JsonArray();
    for (int i = 0; i < quantity; i++) {
      long id = tickets.poll();
      heldTickets.put(id, category);
      claimed.add(new JsonObject().put("id", id).put("categoryId", category));
    }
    String id = UUID.randomUUID().toString();
    // As the server binds it: to the admission that made it, or to a secret only this answer gives.
    String admission = req.getHeader("Authorization");
    String secret = admission == null ? "h" + id : null;
    reservations.put(id, new JsonObject().put("id", id).put("tickets", claimed).put("admission", admission)
        .put("secret", secret));
    JsonObject answer = new JsonObject().put("id", id).put("expiresAt", "later").put("tickets", claimed);
    if (secret != null) {
      answer.put("secret", secret);
    }
    if (key != null) {
      replays.put(key, new Object[] {201, answer});
    }
    send(req, 201, answer);
  }

  private long price(long category) {
    return categories.stream().filter(c -> c[0] == category).mapToLong(c -> c[2]).findFirst().orElse(0);
  }

  private void order(HttpServerRequest req, String reservationId) {
    JsonObject reservation = reservations.get(reservationId);
    boolean owner = reservation != null && (reservation.getString("admission") != null
        ? reservation.getString("admission").equals(req.getHeader("Authorization"))
        : reservation.getString("secret").equals(req.getParam("secret")));
    if (!owner) {
      send(req, 404, new JsonObject().put("error", "not_found"));
      return;
    }
    reservations.remove(reservationId);
    JsonArray tickets = reservation.getJsonArray("tickets").copy();
    List<long[]> list = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < tickets.size(); i++) {
      long id = tickets.getJsonObject(i).getLong("id");
      long category = tickets.getJsonObject(i).getLong("categoryId");
      list.add(new long[] {id, category});
      total += price(category);
    }
    String code = "C" + (orders.size() + 1);
    Order order = new Order(code, "s" + code, list, total);
    orders.put(code, order);
    JsonObject answer = new JsonObject().put("code", code).put("secret", order.secret())
        .put("total", new JsonObject().put("amountCents", total).put("currency", "EUR"));
    if (total == 0) {
      list.forEach(t -> soldTickets.put(t[0], heldTickets.remove(t[0])));
      markPaid(code, list);
      answer.put("status", "paid").putNull("payment");
    } else {
      list.forEach(t -> keptTickets.put(t[0], heldTickets.remove(t[0])));
      long windowEnd = System.currentTimeMillis() + paymentMillis;
      windowEnds.put(code, windowEnd);
      reconcileAt.put(code, reconcileLagMillis < 0 ? Long.MAX_VALUE
          : windowEnd + ThreadLocalRandom.current().nextLong(reconcileLagMillis + 1));
      orderStatus.put(code, "pending");
      answer.put("status", "pending").put("payment", payment(newPayment(code), windowEnd));
    }
    answer.put("tickets", ticketsJson(list));
    send(req, 201, answer);
  }

  private String newPayment(String code) {
    String id = UUID.randomUUID().toString();
    sessionStatus.put(id, "created");
    paymentOrder.put(id, code);
    return id;
  }

  private static JsonObject payment(String id, long windowEnd) {
    return new JsonObject().put("id", id).put("provider", "test").put("status", "created").put("url", "/pay/" + id)
        .put("expiresAt", Instant.ofEpochMilli(windowEnd).toString());
  }

  private void openPayment(HttpServerRequest req, String paymentId) {
    String code = paymentOrder.get(paymentId);
    if (code == null) {
      send(req, 404, new JsonObject().put("error", "not_found"));
      return;
    }
    if (++opens % 4 == 0) {
      // The deployment's session rate: a page that tries again in a moment.
      req.response().setStatusCode(503).putHeader("Retry-After", "0").putHeader("Content-Type", "text/html")
          .end("<p>many buyers are paying right now</p>");
      return;
    }
    Order order = orders.get(code);
    String location = "/orders/" + code + "?secret=" + order.secret();
    if ("pending".equals(orderStatus.get(code)) && System.currentTimeMillis() < windowEnds.get(code)) {
      String status = sessionStatus.get(paymentId);
      if ("created".equals(status) || "open".equals(status)) {
        sessionStatus.put(paymentId, "open");
        location = "/pay/test/" + paymentId;
      }
    }
    req.response().setStatusCode(303).putHeader("Location", location).end();
  }

  private void decide(HttpServerRequest req, String paymentId, boolean pay) {
    String code = paymentOrder.get(paymentId);
    if (code == null) {
      send(req, 404, new JsonObject().put("error", "not_found"));
      return;
    }
    if (!"open".equals(sessionStatus.get(paymentId))) {
      send(req, 409, new JsonObject().put("error", "session_not_open").put("message", "this payment can no longer be paid"));
      return;
    }
    sessionStatus.put(paymentId, pay ? "paid" : "failed");
    String result = pay ? settlePaid(code) : "failed";
    synchronized (this) {
      results.merge(result, 1L, Long::sum);
    }
    send(req, 200, new JsonObject().put("result", result).put("orderUrl", "/orders/" + code));
  }

  /** Paid while kept (window and grace): the kept tickets are sold; after it, claimed again or refunded. */
  private String settlePaid(String code) {
    Order order = orders.get(code);
    String status = orderStatus.get(code);
    if ("pending".equals(status)) {
      order.tickets().forEach(t -> soldTickets.put(t[0], keptTickets.remove(t[0])));
      markPaid(code, order.tickets());
      return "paid";
    }
    if (!"expired".equals(status)) {
      return "duplicate_refunded";
    }
    Map<Long, Integer> needed = new HashMap<>();
    order.tickets().forEach(t -> needed.merge(t[1], 1, Integer::sum));
    boolean enough = needed.entrySet().stream().allMatch(e -> free.get(e.getKey()).size() >= e.getValue());
    if (!enough) {
      orderStatus.put(code, "refunded");
      return "late_refunded";
    }
    List<long[]> claimed = new ArrayList<>();
    needed.forEach((category, n) -> {
      for (int i = 0; i < n; i++) {
        long id = free.get(category).poll();
        soldTickets.put(id, category);
        claimed.add(new long[] {id, category});
      }
    });
    orders.put(code, new Order(code, order.secret(), claimed, order.totalCents()));
    orderStatus.put(code, "paid");
    return "late_completed";
  }

  private void markPaid(String code, List<long[]> tickets) {
    if (sellTwice && lastTicketSold >= 0) {
      // The bug the integrity check exists for: a ticket handed to a second buyer.
      tickets.add(new long[] {lastTicketSold, tickets.get(0)[1]});
    }
    lastTicketSold = tickets.get(0)[0];
    orderStatus.put(code, "paid");
  }

  private void newAttempt(HttpServerRequest req, String code) {
    Order order = orders.get(code);
    if (order == null || !order.secret().equals(req.getParam("secret"))) {
      send(req, 404, new JsonObject().put("error", "not_found"));
      return;
    }
    if (!"pending".equals(orderStatus.get(code))) {
      send(req, 409, new JsonObject().put("error", "order_not_pending").put("status", orderStatus.get(code)));
      return;
    }
    paymentOrder.forEach((id, c) -> {
      if (c.equals(code) && ("open".equals(sessionStatus.get(id)) || "created".equals(sessionStatus.get(id)))) {
        sessionStatus.put(id, "expired");
      }
    });
    send(req, 201, payment(newPayment(code), windowEnds.get(code)));
  }

  /** Reconciliation at a window's end, and the tickets back on sale once its grace has passed. */
  private void sweep() {
    long now = System.currentTimeMillis();
    orderStatus.forEach((code, status) -> {
      if (!"pending".equals(status)) {
        return;
      }
      if (now >= reconcileAt.get(code)) {
        paymentOrder.forEach((id, c) -> {
          if (c.equals(code) && ("open".equals(sessionStatus.get(id)) || "created".equals(sessionStatus.get(id)))) {
            sessionStatus.put(id, "expired");
          }
        });
      }
      if (now >= windowEnds.get(code) + graceMillis) {
        orderStatus.put(code, "expired");
        orders.get(code).tickets().forEach(t -> {
          Long category = keptTickets.remove(t[0]);
          if (category != null) {
            free.get(category).add(t[0]);
          }
        });
      }
    });
  }

  private void showOrder(HttpServerRequest req, String code) {
    Order order = orders.get(code);
    if (order == null || !order.secret().equals(req.getParam("secret"))) {
      send(req, 404, new JsonObject().put("error", "not_found"));
      return;
    }
    String status = orderStatus.get(code);
    boolean pending = "pending".equals(status);
    JsonObject answer = new JsonObject().put("code", code).put("status", status)
        .put("tickets", "paid".equals(status) || pending ? ticketsJson(order.tickets()) : new JsonArray());
    if (pending) {
      answer.put("keptUntil", Instant.ofEpochMilli(windowEnds.get(code) + graceMillis).toString());
    }
    send(req, 200, answer);
  }

  private static JsonArray ticketsJson(List<long[]> tickets) {
    JsonArray array = new JsonArray();
    tickets.forEach(t -> array.add(new JsonObject().put("id", t[0]).put("categoryId", t[1])));
    return array;
  }

  /** Orders in the order they were placed, paged by their number, as the organizer API does. */
  private JsonObject ordersPage(long after, int limit) {
    JsonArray page = new JsonArray();
    for (long n = after + 1; n <= orders.size() && page.size() < limit; n++) {
      Order order = orders.get("C" + n);
      page.add(new JsonObject().put("id", n).put("code", order.code()).put("status", orderStatus.get(order.code()))
          .put("tickets", order.tickets().size()));
    }
    Object next = page.size() == limit ? page.getJsonObject(page.size() - 1).getLong("id") : null;
    return new JsonObject().put("orders", page).put("next", next);
  }

  private int freeCount() {
    return free.values().stream().mapToInt(Deque::size).sum();
  }

  private JsonObject stats() {
    JsonArray cats = new JsonArray();
    long capacity = 0;
    for (long[] c : categories) {
      long held = heldTickets.values().stream().filter(v -> v == c[0]).count();
      long pending = keptTickets.values().stream().filter(v -> v == c[0]).count();
      long sold = soldTickets.values().stream().filter(v -> v == c[0]).count();
      capacity += c[1];
      cats.add(new JsonObject().put("id", c[0]).put("capacity", c[1]).put("available", free.get(c[0]).size())
          .put("held", held).put("pending", pending).put("sold", sold));
    }
    long paid = orderStatus.values().stream().filter("paid"::equals).count();
    return new JsonObject().put("capacity", capacity).put("available", freeCount()).put("held", heldTickets.size())
        .put("pending", keptTickets.size()).put("sold", soldTickets.size()).put("orders", paid)
        .put("pendingOrders", orderStatus.values().stream().filter("pending"::equals).count())
        .put("categories", cats);
  }

  private static void send(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
