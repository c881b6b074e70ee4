package dev.onsale.waitingroom;

import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Services;
import dev.onsale.common.testing.ApiContract;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestServices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One web instance running only the waiting room (its routes and its verticles) on its own Vert.x
 * and port, against the real Redis: what {@code OnsaleApp} deploys for the web role, minus the
 * modules of others. No PostgreSQL client: the waiting room must not need one.
 */
final class WaitingRoomInstance implements AutoCloseable {

  final Vertx vertx;
  final Services services;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile ApiContract contract;

  /** Every Redis request this instance's waiting room sends (a batch counts as one round trip). */
  final AtomicLong redisRoundTrips = new AtomicLong();

  private WaitingRoomInstance(OnsaleConfig config) {
    this.vertx = Vertx.vertx();
    this.port = config.httpPort();
    this.services = TestServices.redisOnly(vertx, config, new CountingRedis(Clients.redis(vertx, config), redisRoundTrips),
        meters);
  }

  static WaitingRoomInstance start(OnsaleConfig config) {
    WaitingRoomInstance instance = new WaitingRoomInstance(config);
    TestEnv.await(TestServices.deployWeb(instance.services, 2, List.of(WaitingRoom::webModule)));
    TestEnv.await(WaitingRoom.deploy(instance.services));
    return instance;
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Read once: every instance checks against the same document, its schemas loaded once. */
  private static final class Document {
    static final ApiContract CONTRACT = ApiContract.fromSaleCoreSources();
  }

  /** From now on every answer {@link #send} gets must be one the OpenAPI document promises. */
  WaitingRoomInstance checkedAgainstTheDocument() {
    this.contract = Document.CONTRACT;
    return this;
  }

  HttpResponse<String> send(HttpRequest.Builder request) {
    HttpResponse<String> response = send(http, request);
    ApiContract checked = contract;
    if (checked != null) {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      response.headers().map().forEach(headers::add);
      HttpRequest sent = response.request();
      String uri = sent.uri().getRawPath() + (sent.uri().getRawQuery() == null ? "" : "?" + sent.uri().getRawQuery());
      checked.check(HttpMethod.valueOf(sent.method()), uri, response.statusCode(), headers, Buffer.buffer(response.body()));
    }
    return response;
  }

  static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) {
    try {
      return client.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> join(long eventId) {
    return send(HttpRequest.newBuilder(URI.create(url("/api/v1/events/" + eventId + "/queue")))
        .POST(HttpRequest.BodyPublishers.noBody()));
  }

  HttpResponse<String> joinWithToken(long eventId, String token) {
    return send(HttpRequest.newBuilder(URI.create(url("/api/v1/events/" + eventId + "/queue")))
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.noBody()));
  }

  HttpResponse<String> status(long eventId, String token) {
    return send(HttpRequest.newBuilder(URI.create(url("/api/v1/events/" + eventId + "/queue/status")))
        .header("Authorization", "Bearer " + token)
        .GET());
  }

  JsonObject statusJson(long eventId, String token) {
    HttpResponse<String> response = status(eventId, token);
    if (response.statusCode() != 200) {
      throw new IllegalStateException("status answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** A browser-like client that keeps cookies, as a buyer's tabs share them. */
  static HttpClient browser() {
    return HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** A Redis client that counts the round trips it makes. */
  record CountingRedis(Redis delegate, AtomicLong count) implements Redis {
    @Override
    public Future<RedisConnection> connect() {
      return delegate.connect();
    }

    @Override
    public Future<Void> close() {
      return delegate.close();
    }

    @Override
    public Future<Response> send(Request request) {
      count.incrementAndGet();
      return delegate.send(request);
    }

    @Override
    public Future<List<Response>> batch(List<Request> requests) {
      count.incrementAndGet();
      return delegate.batch(requests);
    }
  }

  /** Stops the instance the way a clean shutdown does. */
  @Override
  public void close() {
    TestEnv.await(vertx.close());
  }
}
