package dev.onsale.common.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;

/** A real HTTP client for tests: every call goes over the loopback to the server under test. */
public final class TestHttp implements AutoCloseable {

  private final Vertx vertx;
  private final WebClient client;
  private final int port;
  private volatile ApiContract contract;

  public TestHttp(int port) {
    this.vertx = Vertx.vertx();
    this.port = port;
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1")
        .setDefaultPort(port)
        .setKeepAlive(true), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
  }

  /**
   * From now on every answer is checked against the OpenAPI document: one the document does not
   * promise fails the call with an {@link AssertionError} that says how.
   */
  public TestHttp checkedAgainst(ApiContract contract) {
    this.contract = contract;
    return this;
  }

  /** What came back: status, headers, raw body and (when it is JSON) the parsed object. */
  public record Answer(int status, MultiMap headers, Buffer raw) {
    public JsonObject json() {
      return raw == null || raw.length() == 0 ? new JsonObject() : raw.toJsonObject();
    }

    public String error() {
      return json().getString("error");
    }
  }

  public Future<Answer> send(HttpMethod method, String path, Buffer body, Map<String, String> headers) {
    HttpRequest<Buffer> request = client.request(method, port, "127.0.0.1", path);
    headers.forEach(request::putHeader);
    if (contract != null) {
      // A redirect is an answer of its own: checked as it is, not the page it leads to.
      request.followRedirects(false);
    }
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> response = body == null
        ? request.send()
        : request.sendBuffer(body);
    return response.map(r -> {
      ApiContract checked = contract;
      if (checked != null) {
        checked.check(method, path, body, r.statusCode(), r.headers(), r.body());
      }
      return new Answer(r.statusCode(), r.headers(), r.body());
    });
  }

  public Future<Answer> sendJson(HttpMethod method, String path, JsonObject body, Map<String, String> headers) {
    java.util.HashMap<String, String> all = new java.util.HashMap<>(headers);
    all.putIfAbsent("Content-Type", "application/json");
    return send(method, path, body == null ? null : body.toBuffer(), all);
  }

  public Answer get(String path, Map<String, String> headers) {
    return TestEnv.await(send(HttpMethod.GET, path, null, headers));
  }

  public Answer get(String path) {
    return get(path, Map.of());
  }

  public Answer post(String path, JsonObject body, Map<String, String> headers) {
    return TestEnv.await(sendJson(HttpMethod.POST, path, body, headers));
  }

  public Answer patch(String path, JsonObject body, Map<String, String> headers) {
    return TestEnv.await(sendJson(HttpMethod.PATCH, path, body, headers));
  }

  public Answer delete(String path, Map<String, String> headers) {
    return TestEnv.await(send(HttpMethod.DELETE, path, null, headers));
  }

  public Answer raw(HttpMethod method, String path, Buffer body, Map<String, String> headers) {
    return TestEnv.await(send(method, path, body, headers));
  }

  @Override
  public void close() {
    client.close();
    TestEnv.await(vertx.close());
  }
}
