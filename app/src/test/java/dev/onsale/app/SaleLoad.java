package dev.onsale.app;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.testing.Holds;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Buyers who keep buying while a test breaks something: each reserves one ticket and orders it,
 * again and again, against one or more instances (round robin), and pays a priced order with the
 * {@code test} provider when {@link #paying} made them. Every answer is counted by kind, so a
 * test can say what the buyers saw before, during and after a fault.
 */
final class SaleLoad implements AutoCloseable {

  /** Answers by kind: "reserve 201", "order 201", "reserve 503+retry", "order 409 sold_out", "reserve io", ... */
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Queue<String> orderCodes = new ConcurrentLinkedQueue<>();
  private final Queue<String> paidCodes = new ConcurrentLinkedQueue<>();
  private final Queue<Long> orderAnsweredNanos = new ConcurrentLinkedQueue<>();
  private final AtomicLong slowestMillis = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Vertx vertx;
  private final WebClient client;
  private final List<Integer> ports;
  private final long eventId;
  private final long categoryId;
  /** Each buyer's admission (its Authorization header), or no header: asked once per reservation. */
  private final Supplier<Future<Map<String, String>>> admissions;
  private final boolean pays;
  private final AtomicLong turn = new AtomicLong();
  private final List<Future<Void>> buyers = new java.util.ArrayList<>();

  SaleLoad(List<Integer> ports, long eventId, long categoryId, int buyerCount,
           Supplier<Future<Map<String, String>>> admissions) {
    this(ports, eventId, categoryId, buyerCount, admissions, false);
  }

  private SaleLoad(List<Integer> ports, long eventId, long categoryId, int buyerCount,
      Supplier<Future<Map<String, String>>> admissions, boolean pays) {
    this.pays = pays;
    this.vertx = Vertx.vertx();
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setKeepAlive(true).setConnectTimeout(5000), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(buyerCount));
    this.ports = ports;
    this.eventId = eventId;
    this.categoryId = categoryId;
    this.admissions = admissions;
    for (int i = 0; i < buyerCount; i++) {
      Promise<Void> done = Promise.promise();
      buyers.add(done.future());
      vertx.runOnContext(v -> buyLoop(done));
    }
  }

  SaleLoad(int port, long eventId, long categoryId, int buyerCount) {
    this(List.of(port), eventId, categoryId, buyerCount, () -> Future.succeededFuture(Map.of()));
  }

  /** Buyers of a priced category who pay each order at once: open the payment, then the test provider's "Pay". */
  static SaleLoad paying(int port, long eventId, long categoryId, int buyerCount) {
    return new SaleLoad(List.of(port), eventId, categoryId, buyerCount, () -> Future.succeededFuture(Map.of()), true);
  }

  private void buyLoop(Promise<Void> done) {
    if (!running.get()) {
      done.complete();
      return;
    }
    int port = ports.get((int) (turn.getAndIncrement() % ports.size()));
    JsonObject items = new JsonObject().put("items", new JsonArray()
        .add(new JsonObject().put("categoryId", categoryId).put("quantity", 1)));
    // The hold is ordered by its maker: the same admission, or the secret the reserve answer gave.
    admissions.get()
        .compose(admission -> call(port, "reserve", "/api/v1/events/" + eventId + "/reservations", items, admission)
        .compose(reservation -> reservation == null ? Future.succeededFuture() : call(port, "order",
            Holds.orderPath(reservation),
            new JsonObject().put("buyer", new JsonObject().put("name", "Load Buyer").put("email", "load@example.org")),
            admission).compose(order -> {
              if (order == null) {
                return Future.succeededFuture();
              }
              orderAnsweredNanos.add(System.nanoTime());
              orderCodes.add(order.getString("code"));
              JsonObject payment = order.getJsonObject("payment");
              return pays && payment != null ? pay(port, order.getString("code"), payment.getString("id")) : Future.succeededFuture();
            })))
        .onComplete(ignored -> vertx.setTimer(10, t -> buyLoop(done)));
  }

  /**
   * Opens the payment (which creates the provider's session) and confirms it; an order whose
   * confirmation was answered 200 "paid" is one the buyer was told is paid.
   */
  private Future<Void> pay(int port, String code, String paymentId) {
    return client.get(port, "127.0.0.1", "/pay/" + paymentId).followRedirects(false).timeout(30_000).send()
        .compose(opened -> {
          record("pay-open " + kind(opened));
          if (opened.statusCode() >= 400) {
            return Future.succeededFuture();
          }
          return client.post(port, "127.0.0.1", "/api/v1/payments/test/" + paymentId + "/succeed").timeout(30_000)
              .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{}"))
              .map(confirmed -> {
                record("pay " + kind(confirmed));
                if (confirmed.statusCode() == 200 && "paid".equals(confirmed.bodyAsJsonObject().getString("result"))) {
                  paidCodes.add(code);
                }
                return null;
              });
        })
        .otherwise(e -> {
          record("pay " + (String.valueOf(e.getMessage()).contains("timeout") ? "timeout" : "io"));
          return null;
        })
        .mapEmpty();
  }

  /** The answer's JSON when it is a 201, null otherwise; counts the answer either way. */
  private Future<JsonObject> call(int port, String step, String path, JsonObject body, Map<String, String> headers) {
    long started = System.nanoTime();
    var request = client.post(port, "127.0.0.1", path).timeout(30_000).putHeader("Content-Type", "application/json");
    headers.forEach(request::putHeader);
    return request.sendBuffer(body.toBuffer())
        .map(response -> {
          slowestMillis.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
          record(step + " " + kind(response));
          return response.statusCode() == 201 ? response.bodyAsJsonObject() : null;
        })
        .otherwise(e -> {
          String kind = e instanceof java.util.concurrent.TimeoutException || String.valueOf(e.getMessage()).contains("timeout")
              ? "timeout" : "io";
          record(step + " " + kind);
          return null;
        });
  }

  private static String kind(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status < 400) {
      return String.valueOf(status);
    }
    if (status == 503) {
      String retry = response.getHeader("Retry-After");
      return retry != null && Integer.parseInt(retry) > 0 ? "503+retry" : "503-no-retry";
    }
    String error;
    try {
      error = response.bodyAsJsonObject().getString("error");
    } catch (RuntimeException e) {
      error = "not-json";
    }
    return status + " " + error;
  }

  private void record(String kind) {
    counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  /** A copy of the counts so far, sorted by kind. */
  Map<String, Long> counts() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  long count(String kind) {
    LongAdder adder = counts.get(kind);
    return adder == null ? 0 : adder.sum();
  }

  /** Answers counted since {@code before}, by kind. */
  Map<String, Long> since(Map<String, Long> before) {
    Map<String, Long> diff = new TreeMap<>();
    counts().forEach((k, v) -> {
      long d = v - before.getOrDefault(k, 0L);
      if (d != 0) {
        diff.put(k, d);
      }
    });
    return diff;
  }

  List<String> orderCodes() {
    return List.copyOf(orderCodes);
  }

  /** When ({@link System#nanoTime}) the first order answered 201 after {@code nanos} was answered; empty if none was. */
  java.util.OptionalLong firstOrderAfter(long nanos) {
    return orderAnsweredNanos.stream().mapToLong(Long::longValue).filter(t -> t > nanos).min();
  }

  /** Orders whose payment the buyer was told succeeded. */
  List<String> paidCodes() {
    return List.copyOf(paidCodes);
  }

  long ordersPlaced() {
    return count("order 201");
  }

  long slowestMillis() {
    return slowestMillis.get();
  }

  /** Waits (from the test thread) until {@code more} further orders were placed, or the time runs out. */
  boolean awaitOrders(long more, int seconds) {
    long target = ordersPlaced() + more;
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (ordersPlaced() >= target) {
        return true;
      }
      DisposableRedis.sleep(50);
    }
    return false;
  }

  /** Lets every buyer finish the step in flight, then stops. */
  void stop() {
    running.set(false);
    dev.onsale.common.testing.TestEnv.await(Future.join(buyers).mapEmpty());
  }

  /** Answers whose kind says the server failed: any 5xx other than a 503 with Retry-After. */
  static long serverErrors(Map<String, Long> counts) {
    return counts.entrySet().stream()
        .filter(e -> e.getKey().matches(".* 5\\d\\d.*") && !e.getKey().endsWith("503+retry"))
        .mapToLong(Map.Entry::getValue).sum();
  }

  static long sum(Map<String, Long> counts, String suffix) {
    return counts.entrySet().stream().filter(e -> e.getKey().endsWith(suffix)).mapToLong(Map.Entry::getValue).sum();
  }

  @Override
  public void close() {
    running.set(false);
    client.close();
    dev.onsale.common.testing.TestEnv.await(vertx.close());
  }
}
