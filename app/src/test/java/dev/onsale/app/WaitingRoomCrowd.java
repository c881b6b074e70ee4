package dev.onsale.app;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Buyers through the whole waiting room over HTTP, each on its own: join, follow its status until
 * admitted, reserve one ticket with the admission token, order it. A 503, 429 or a dropped
 * connection (a Redis failover under way) is tried again after a pause, as the pages do. Every
 * answer is counted by kind, and every arrival number and order code a buyer was given is kept.
 */
final class WaitingRoomCrowd implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final WebClient client;
  private final int port;
  private final long eventId;
  private final long categoryId;
  private final long giveUpAt;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Queue<Long> numbers = new ConcurrentLinkedQueue<>();
  private final Queue<Given> handedOut = new ConcurrentLinkedQueue<>();
  private final Queue<Given> admitted = new ConcurrentLinkedQueue<>();
  private final Queue<String> orderCodes = new ConcurrentLinkedQueue<>();
  private final List<Future<Void>> buyers = new ArrayList<>();

  /** {@code buyers} arrive spread over {@code arrivalMillis}; each gives up {@code seconds} after the start. */
  WaitingRoomCrowd(int port, long eventId, long categoryId, int buyerCount, long arrivalMillis, int seconds) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setKeepAlive(true)
        .setConnectTimeout(5000), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    this.port = port;
    this.eventId = eventId;
    this.categoryId = categoryId;
    this.giveUpAt = System.currentTimeMillis() + seconds * 1000L;
    for (int i = 0; i < buyerCount; i++) {
      Promise<Void> done = Promise.promise();
      buyers.add(done.future());
      long delay = 1 + arrivalMillis * i / Math.max(1, buyerCount);
      vertx.setTimer(delay, t -> buy().onComplete(ar -> done.complete()));
    }
  }

  /** Waits (from the test thread) until every buyer has an order, sold out or given up. */
  void awaitDone() {
    dev.onsale.common.testing.TestEnv.await(Future.join(buyers).mapEmpty());
  }

  private Future<Void> buy() {
    return step("join", "POST", "/api/v1/events/" + eventId + "/queue", new JsonObject(), null, joined -> {
      numbers.add(joined.getLong("number"));
      handedOut.add(new Given(joined.getLong("number"), System.nanoTime()));
      return true;
    }).compose(joined -> joined == null ? Future.succeededFuture() : admitted(joined.getString("queueToken"))
        .compose(admission -> {
          if (admission == null) {
            return Future.succeededFuture();
          }
          admitted.add(new Given(joined.getLong("number"), System.nanoTime()));
          return reserveAndOrder(admission);
        }));
  }

  /** A number a buyer was told, and when (System.nanoTime) the answer arrived. */
  record Given(long number, long atNanos) {}

  /** Polls the buyer's status until it carries an admission token; null when sold out or out of time. */
  private Future<String> admitted(String queueToken) {
    return step("status", "GET", "/api/v1/events/" + eventId + "/queue/status", null, queueToken,
        status -> status.getString("admissionToken") != null || "sold_out".equals(status.getString("state")))
        .compose(status -> {
          if (status == null || status.getString("admissionToken") == null) {
            return Future.succeededFuture(null);
          }
          return Future.succeededFuture(status.getString("admissionToken"));
        });
  }

  private Future<Void> reserveAndOrder(String admission) {
    JsonObject items = new JsonObject().put("items", new JsonArray()
        .add(new JsonObject().put("categoryId", categoryId).put("quantity", 1)));
    return step("reserve", "POST", "/api/v1/events/" + eventId + "/reservations", items, admission, held -> true)
        .compose(hold -> hold == null ? Future.succeededFuture() : step("order", "POST",
            "/api/v1/reservations/" + hold.getString("id") + "/order",
            new JsonObject().put("buyer", new JsonObject().put("name", "Crowd Buyer").put("email", "crowd@example.org")),
            admission, order -> {
              orderCodes.add(order.getString("code"));
              return true;
            }).mapEmpty());
  }

  /**
   * Sends one request until its answer is final: a 2xx that {@code done} accepts (or a final 4xx,
   * which yields null), retrying 503, 429, a 2xx not yet done and connection failures after a pause.
   */
  private Future<JsonObject> step(String name, String method, String path, JsonObject body, String bearer,
      Function<JsonObject, Boolean> done) {
    if (System.currentTimeMillis() > giveUpAt) {
      record(name + " gave up");
      return Future.succeededFuture(null);
    }
    HttpRequest<Buffer> request = client.request(io.vertx.core.http.HttpMethod.valueOf(method), port, "127.0.0.1", path)
        .timeout(20_000);
    if (bearer != null) {
      request.putHeader("Authorization", "Bearer " + bearer);
    }
    Future<HttpResponse<Buffer>> sent = body == null ? request.send()
        : request.putHeader("Content-Type", "application/json").sendBuffer(body.toBuffer());
    return sent.transform(ar -> {
      if (ar.failed()) {
        record(name + " io");
        return later(() -> step(name, method, path, body, bearer, done));
      }
      HttpResponse<Buffer> response = ar.result();
      int status = response.statusCode();
      if (status / 100 == 2) {
        JsonObject json = response.bodyAsJsonObject();
        if (done.apply(json)) {
          record(name + " " + status);
          return Future.succeededFuture(json);
        }
        return later(() -> step(name, method, path, body, bearer, done));
      }
      String error = errorOf(response);
      String retryAfter = response.getHeader("Retry-After");
      record(name + " " + status + " " + error + (status == 503 && retryAfter != null && Integer.parseInt(retryAfter) > 0
          ? " 503+retry" : ""));
      if (status == 503 || status == 429) {
        return later(() -> step(name, method, path, body, bearer, done));
      }
      return Future.succeededFuture(null);
    });
  }

  private Future<JsonObject> later(java.util.function.Supplier<Future<JsonObject>> again) {
    Promise<JsonObject> promise = Promise.promise();
    vertx.setTimer(200 + ThreadLocalRandom.current().nextInt(300), t -> again.get().onComplete(promise));
    return promise.future();
  }

  private static String errorOf(HttpResponse<Buffer> response) {
    try {
      return response.bodyAsJsonObject().getString("error");
    } catch (RuntimeException e) {
      return "not-json";
    }
  }

  private void record(String kind) {
    counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  Map<String, Long> counts() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  long count(String kind) {
    LongAdder adder = counts.get(kind);
    return adder == null ? 0 : adder.sum();
  }

  List<Long> numbers() {
    return List.copyOf(numbers);
  }

  /** Every arrival number handed to a buyer, with when the join's answer arrived. */
  List<Given> handedOut() {
    return List.copyOf(handedOut);
  }

  /** Every buyer's number whose status said admitted, with when that answer arrived (no pre-queue: number = place). */
  List<Given> admitted() {
    return List.copyOf(admitted);
  }

  List<String> orderCodes() {
    return List.copyOf(orderCodes);
  }

  @Override
  public void close() {
    client.close();
    dev.onsale.common.testing.TestEnv.await(vertx.close());
  }
}
