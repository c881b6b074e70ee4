package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The Onsale HTTP API as a buyer and an organizer call it. Every call answers a {@link Reply},
 * never a failed future, so the buyer's flow decides what each outcome means.
 *
 * <p>The queue's requests (join, the public state, the buyer's status) and the shop's (reserve,
 * order, pay, fetch) may go through different clients: one simulated buyer's payment then never
 * waits in this process behind thousands of other buyers' queue polls, as no browser does.
 */
final class OnsaleApi {

  static final long INVARIANTS_TIMEOUT_MILLIS = 60_000;

  private final WebClient client;
  private final WebClient shop;
  private final String baseUrl;
  private final String adminToken;
  private final long timeoutMillis;

  OnsaleApi(WebClient client, String baseUrl, String adminToken, long timeoutMillis) {
    this(client, client, baseUrl, adminToken, timeoutMillis);
  }

  /** The queue's requests through {@code client}, the shop's through {@code shop}. */
  OnsaleApi(WebClient client, WebClient shop, String baseUrl, String adminToken, long timeoutMillis) {
    this.client = client;
    this.shop = shop;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.adminToken = adminToken;
    this.timeoutMillis = timeoutMillis;
  }

  Future<Reply> createEvent(JsonObject event) {
    return send(admin(HttpMethod.POST, "/api/v1/admin/events"), event);
  }

  Future<Reply> stats(long eventId) {
    return send(admin(HttpMethod.GET, "/api/v1/admin/events/" + eventId + "/stats"), null);
  }

  Future<Reply> adminOrders(long eventId, String query) {
    return send(admin(HttpMethod.GET, "/api/v1/admin/events/" + eventId + "/orders" + query), null);
  }

  /** The server's own invariant checks (sale core), when it offers them. */
  Future<Reply> invariants() {
    // Bounded: the server's checks scan the whole database, which takes long after a big run.
    return send(admin(HttpMethod.GET, "/api/v1/admin/invariants").timeout(INVARIANTS_TIMEOUT_MILLIS), null);
  }

  Future<Reply> event(long eventId) {
    return send(request(HttpMethod.GET, "/api/v1/events/" + eventId), null);
  }

  Future<Reply> join(long eventId) {
    return send(request(HttpMethod.POST, "/api/v1/events/" + eventId + "/queue"), new JsonObject());
  }

  /**
   * The queue token travels as a Bearer header, as the page's script sends it, and as the
   * {@code token} query parameter for servers that read it from there.
   */
  Future<Reply> status(long eventId, String queueToken) {
    HttpRequest<Buffer> request = request(HttpMethod.GET,
        "/api/v1/events/" + eventId + "/queue/status?token=" + encode(queueToken))
        .putHeader("Authorization", "Bearer " + queueToken);
    return send(request, null);
  }

  /** The public queue state and its ETag; with the last ETag a 304 means nothing changed. */
  record StateReply(Reply reply, String etag) {}

  Future<StateReply> queueState(long eventId, String etag) {
    HttpRequest<Buffer> request = request(HttpMethod.GET, "/api/v1/events/" + eventId + "/queue/state");
    if (etag != null) {
      request.putHeader("If-None-Match", etag);
    }
    return request.send()
        .map(response -> new StateReply(Reply.of(response), response.getHeader("ETag")))
        .otherwise(e -> new StateReply(Reply.failed(e), null));
  }

  Future<Reply> reserve(long eventId, String admissionToken, long categoryId, int quantity, String idempotencyKey) {
    HttpRequest<Buffer> request = shopRequest(HttpMethod.POST, "/api/v1/events/" + eventId + "/reservations");
    if (idempotencyKey != null) {
      request.putHeader("Idempotency-Key", idempotencyKey);
    }
    if (admissionToken != null) {
      request.putHeader("Authorization", "Bearer " + admissionToken);
    }
    JsonObject body = new JsonObject().put("items", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("categoryId", categoryId).put("quantity", quantity)));
    return send(request, body);
  }

  /**
   * Orders a hold as its maker: with the admission token it was reserved with, or (the waiting room
   * off) the secret its reserve answer gave.
   */
  Future<Reply> order(JsonObject hold, String admissionToken, String name, String email, String idempotencyKey) {
    String secret = hold.getString("secret");
    HttpRequest<Buffer> request = shopRequest(HttpMethod.POST, "/api/v1/reservations/" + encode(hold.getString("id"))
        + "/order" + (secret == null ? "" : "?secret=" + encode(secret)));
    if (idempotencyKey != null) {
      request.putHeader("Idempotency-Key", idempotencyKey);
    }
    if (admissionToken != null) {
      request.putHeader("Authorization", "Bearer " + admissionToken);
    }
    JsonObject body = new JsonObject().put("buyer", new JsonObject().put("name", name).put("email", email));
    return send(request, body);
  }

  Future<Reply> fetchOrder(String code, String secret) {
    return send(shopRequest(HttpMethod.GET, "/api/v1/orders/" + encode(code) + "?secret=" + encode(secret)), null);
  }

  /**
   * Opens an order's {@code payment.url} as the buyer's browser does, without following the 303:
   * its {@code Location} (the provider's checkout, or the order page) comes back in the reply's
   * body as {@code location}.
   */
  Future<Reply> openPayment(String url) {
    String path = url.startsWith("http://") || url.startsWith("https://") ? url : baseUrl + url;
    HttpRequest<Buffer> request = shop.requestAbs(HttpMethod.GET, path)
        .timeout(timeoutMillis)
        .followRedirects(false)
        .putHeader("Accept", "text/html");
    return request.send()
        .map(response -> {
          Reply reply = Reply.of(response);
          String location = response.getHeader("Location");
          return location == null ? reply : new Reply(reply.status(), reply.body().copy().put("location", location),
              reply.retryAfterSeconds(), reply.problem());
        })
        .otherwise(Reply::failed);
  }

  /** The test provider's page: "Pay" ({@code succeed}) or "Decline" ({@code fail}). */
  Future<Reply> testPayment(String paymentId, boolean pay) {
    return send(shopRequest(HttpMethod.POST, "/api/v1/payments/test/" + encode(paymentId) + (pay ? "/succeed" : "/fail")),
        new JsonObject());
  }

  /** A new payment attempt for a pending order, after a decline. */
  Future<Reply> newPaymentAttempt(String code, String secret) {
    return send(shopRequest(HttpMethod.POST, "/api/v1/orders/" + encode(code) + "/payment?secret=" + encode(secret)),
        new JsonObject());
  }

  Future<Reply> get(String pathAndQuery, boolean asAdmin) {
    return send(asAdmin ? admin(HttpMethod.GET, pathAndQuery) : request(HttpMethod.GET, pathAndQuery), null);
  }

  private HttpRequest<Buffer> admin(HttpMethod method, String path) {
    return request(method, path).putHeader("Authorization", "Bearer " + adminToken);
  }

  private HttpRequest<Buffer> request(HttpMethod method, String path) {
    return json(client.requestAbs(method, baseUrl + path));
  }

  private HttpRequest<Buffer> shopRequest(HttpMethod method, String path) {
    return json(shop.requestAbs(method, baseUrl + path));
  }

  private HttpRequest<Buffer> json(HttpRequest<Buffer> request) {
    return request.timeout(timeoutMillis).putHeader("Accept", "application/json");
  }

  private static Future<Reply> send(HttpRequest<Buffer> request, JsonObject body) {
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> sent = body == null
        ? request.send()
        : request.sendJsonObject(body);
    return sent.map(Reply::of).otherwise(Reply::failed);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
