package dev.onsale.common;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The web verticle's rules for bodies and text, on a router of two small modules. */
@DisplayName("Strict request bodies and text")
class StrictInputTest {

  static Vertx vertx;
  static TestHttp http;

  /** A module with a JSON endpoint and one that takes a provider's raw body in any content type. */
  static final class Probe implements WebModule {
    @Override
    public void mount(Router router) {
      router.post("/json").handler(ctx -> {
        JsonObject body = RequestBodies.object(ctx);
        String name = RequestBodies.requireString(body, "name", 1, 50);
        Json.send(ctx, 200, new JsonObject().put("name", name).put("note", RequestBodies.optionalString(body, "note", 50, "-")));
      });
      router.post("/payments/:provider/webhook").handler(ctx -> Json.send(ctx, 200, new JsonObject()
          .put("bytes", ctx.body().length()).put("type", ctx.request().getHeader("Content-Type"))));
    }

    @Override
    public List<String> rawBodyPaths() {
      return List.of("/payments/:provider/webhook");
    }
  }

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    OnsaleConfig config = OnsaleConfig.fromMap(Map.of("ONSALE_HTTP_PORT", String.valueOf(TestEnv.freePort()), "ONSALE_HTTP_HOST", "127.0.0.1"));
    Services services = new Services(vertx, config, null, null, null, null, null);
    await(vertx.deployVerticle(new WebVerticle(services, List.of(s -> new Probe()))));
    http = new TestHttp(config.httpPort());
  }

  @AfterAll
  static void stop() {
    http.close();
    await(vertx.close());
  }

  private static Answer post(String path, String body, Map<String, String> headers) {
    return http.raw(HttpMethod.POST, path, Buffer.buffer(body), headers);
  }

  @Test
  @DisplayName("a JSON endpoint takes application/json and refuses any other or no content type with 415")
  void contentType() {
    String body = "{\"name\":\"Ada\"}";
    assertThat(post("/json", body, Map.of("Content-Type", "application/json")).json().getString("name")).isEqualTo("Ada");
    assertThat(post("/json", body, Map.of("Content-Type", "application/json; charset=UTF-8")).status()).isEqualTo(200);
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1", "application/jsonx")) {
      Answer answer = post("/json", body, Map.of("Content-Type", type));
      assertThat(answer.status()).as(type).isEqualTo(415);
      assertThat(answer.error()).as(type).isEqualTo("unsupported_media_type");
    }
    assertThat(post("/json", body, Map.of()).status()).isEqualTo(415);
  }

  @Test
  @DisplayName("a path a module declares raw gets its body untouched, in any content type, even when it is not JSON")
  void rawPath() {
    Answer answer = post("/payments/stripe/webhook", "t=1,v1=abc /* not json */", Map.of("Content-Type", "text/plain"));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().getInteger("bytes")).isEqualTo(25);
    assertThat(post("/payments/stripe/webhook", "a=b", Map.of()).status()).isEqualTo(200);
    assertThat(post("/payments/stripe/other", "a=b", Map.of()).status()).as("only the declared path").isEqualTo(415);
  }

  @Test
  @DisplayName("comments, a null for an optional field and a control character are 400s")
  void strictValues() {
    Map<String, String> json = Map.of("Content-Type", "application/json");
    assertThat(post("/json", "{\"name\":\"Ada\" /* hi */}", json).error()).isEqualTo("malformed_json");
    assertThat(post("/json", "{\"name\":\"Ada\",\"note\":null}", json).error()).isEqualTo("invalid_field");
    assertThat(post("/json", "{\"name\":\"Ada\\nBcc: x\"}", json).error()).isEqualTo("invalid_field");
    assertThat(post("/json", "{\"name\":\"Ada\",\"note\":\"ok\"}", json).json().getString("note")).isEqualTo("ok");
  }

  @Test
  @DisplayName("one rule for text: controls, bidi overrides and lone surrogates are refused, other Unicode is fine")
  void textRules() {
    for (String bad : List.of("a\nb", "a\rb", "a\tb", "\u0000", "a\u0085", "\u007f", "\u202Eabc", "\u2066x\u2069", "\uD800")) {
      assertThat(TextRules.problem(bad)).as(bad).isNotNull();
    }
    for (String good : List.of("Zoë Ångström", "東京ドーム", "O'Brien & Co.", "\uD83C\uDFAB ticket", "שלום")) {
      assertThat(TextRules.problem(good)).as(good).isNull();
    }
  }

  @Test
  @DisplayName("webhook addresses: internal ones are refused unless the allow-list names the host or its network")
  void webhookAddresses() throws Exception {
    WebhookAddresses none = new WebhookAddresses("");
    for (String internal : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254", "0.0.0.0",
        "100.64.0.1", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "224.0.0.1")) {
      assertThat(none.allowed(InetAddress.getByName(internal))).as(internal).isFalse();
    }
    assertThat(none.allowed(InetAddress.getByName("93.184.215.14"))).isTrue();
    assertThat(none.allowed(InetAddress.getByName("2606:4700::1111"))).isTrue();
    WebhookAddresses some = new WebhookAddresses(" hooks.internal , 10.0.0.0/8,::1 ");
    assertThat(some.allowed(InetAddress.getByName("10.200.0.1"))).isTrue();
    assertThat(some.allowed(InetAddress.getByName("11.0.0.1"))).isTrue();
    assertThat(some.allowed(InetAddress.getByName("192.168.0.1"))).isFalse();
    assertThat(some.allowed(InetAddress.getByName("::1"))).isTrue();
    assertThat(some.hostListed("HOOKS.internal")).isTrue();
    assertThatThrownBy(() -> new WebhookAddresses("10.0.0.0/40")).isInstanceOf(IllegalArgumentException.class);
    assertThat(await(none.checkRegistration(vertx, "hooks.example.invalid").map("accepted")))
        .as("a name that does not resolve yet is checked at delivery").isEqualTo("accepted");
    assertThatThrownBy(() -> await(none.checkRegistration(vertx, "127.0.0.1"))).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> await(none.resolveForDelivery(vertx, "localhost"))).isInstanceOf(IllegalStateException.class);
    assertThat(await(some.resolveForDelivery(vertx, "::1")).isLoopbackAddress()).isTrue();
  }
}
