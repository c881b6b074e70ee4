package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A small in-memory stand-in for Onsale's HTTP API, as the shared contract describes it, so the
 * load generator's flow and its integrity check are tested on their own. It admits buyers at a
 * steady pace, answers some reservations 503 (as an overloaded server does) and can be told to
 * sell a ticket twice, which the integrity check must catch.
 */
final class FakeOnsale {

  static final String ADMIN = "fake-admin-token";

  private final Vertx vertx;
  private final boolean sellTwice;
  private HttpServer server;
  private long eventId;
  private final List<long[]> categories = new ArrayList<>(); // id, capacity
  private final Map<Long, Deque<Long>> free = new HashMap<>();
  private final Map<String, JsonObject> reservations = new HashMap<>();
  private final Map<String, JsonObject> orders = new HashMap<>();
  private final Map<Long, Long> heldTickets = new HashMap<>(); // ticket -> category
  private final Map<Long, Long> soldTickets = new HashMap<>();
  private long arrivals;
  private long serving;
  private long requests;
  private long lastTicketSold = -1;
  private JsonObject event;

  FakeOnsale(Vertx vertx, boolean sellTwice) {
    this.vertx = vertx;
    this.sellTwice = sellTwice;
  }

  Future<Integer> start() {
    vertx.setPeriodic(20, id -> serving += 3);
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
      send(req, 200, new JsonObject().put("queueToken", "q" + n).put("number", n).put("state", "waiting"));
    } else if (method.equals("GET") && path.endsWith("/queue/status")) {
      long n = Long.parseLong(req.getHeader("Authorization").substring("Bearer q".length()));
      if (freeCount() == 0 && heldTickets.isEmpty()) {
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
    } else if (method.equals("GET") && path.startsWith("/api/v1/orders/")) {
      JsonObject order = orders.get(p[4]);
      if (order == null || !order.getString("secret").equals(req.getParam("secret"))) {
        send(req, 404, new JsonObject().put("error", "not_found"));
      } else {
        send(req, 200, new JsonObject().put("code", order.getString("code")).put("status", "paid")
            .put("tickets", order.getJsonArray("tickets")));
      }
    } else if (method.equals("GET") && path.startsWith("/api/v1/events/")) {
      send(req, 200, event);
    } else {
      send(req, 404, new JsonObject().put("error", "not_found"));
    }
  }

  private JsonObject createEvent(JsonObject body) {
    eventId = 42;
    long ticketId = 1000;
    JsonArray cats = new JsonArray();
    JsonArray in = body.getJsonArray("categories");
    for (int i = 0; i < in.size(); i++) {
      long id = 7 + i;
      int capacity = in.getJsonObject(i).getInteger("capacity");
      categories.add(new long[] {id, capacity});
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

  private void reserve(HttpServerRequest req, JsonObject body) {
    if (++requests % 7 == 0) {
      req.response().putHeader("Retry-After", "0");
      send(req, 503, new JsonObject().put("error", "overloaded"));
      return;
    }
    JsonObject item = body.getJsonArray("items").getJsonObject(0);
    long category = item.getLong("categoryId");
    int quantity = item.getInteger("quantity");
    Deque<Long> tickets = free.get(category);
    if (tickets.size() < quantity) {
      send(req, 409, new JsonObject().put("error", "sold_out").put("message", "sold out"));
      return;
    }
    JsonArray claimed = new JsonArray();
    for (int i = 0; i < quantity; i++) {
      long id = tickets.poll();
      heldTickets.put(id, category);
      claimed.add(new JsonObject().put("id", id).put("categoryId", category));
    }
    String id = UUID.randomUUID().toString();
    reservations.put(id, new JsonObject().put("id", id).put("tickets", claimed));
    send(req, 201, new JsonObject().put("id", id).put("expiresAt", "later").put("tickets", claimed));
  }

  private void order(HttpServerRequest req, String reservationId) {
    JsonObject reservation = reservations.remove(reservationId);
    if (reservation == null) {
      send(req, 404, new JsonObject().put("error", "not_found"));
      return;
    }
    JsonArray tickets = reservation.getJsonArray("tickets").copy();
    for (int i = 0; i < tickets.size(); i++) {
      long id = tickets.getJsonObject(i).getLong("id");
      soldTickets.put(id, heldTickets.remove(id));
    }
    if (sellTwice && lastTicketSold >= 0) {
      // The bug the integrity check exists for: a ticket handed to a second buyer.
      tickets.add(new JsonObject().put("id", lastTicketSold).put("categoryId", tickets.getJsonObject(0).getLong("categoryId")));
    }
    lastTicketSold = tickets.getJsonObject(0).getLong("id");
    String code = "C" + (orders.size() + 1);
    JsonObject order = new JsonObject().put("code", code).put("secret", "s" + code).put("status", "paid").put("tickets", tickets);
    orders.put(code, order);
    send(req, 201, order);
  }

  /** Orders in the order they were placed, paged by their number, as the organizer API does. */
  private JsonObject ordersPage(long after, int limit) {
    JsonArray page = new JsonArray();
    for (long n = after + 1; n <= orders.size() && page.size() < limit; n++) {
      JsonObject order = orders.get("C" + n);
      page.add(new JsonObject().put("id", n).put("code", order.getString("code")).put("status", "paid")
          .put("tickets", order.getJsonArray("tickets").size()));
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
      long sold = soldTickets.values().stream().filter(v -> v == c[0]).count();
      capacity += c[1];
      cats.add(new JsonObject().put("id", c[0]).put("capacity", c[1]).put("available", free.get(c[0]).size())
          .put("held", held).put("sold", sold));
    }
    return new JsonObject().put("capacity", capacity).put("available", freeCount()).put("held", heldTickets.size())
        .put("sold", soldTickets.size()).put("orders", orders.size()).put("categories", cats);
  }

  private static void send(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
