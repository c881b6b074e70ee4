package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.ApiContract;
import dev.onsale.common.testing.TestHttp;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Security properties of a running instance with every role, checked over HTTP. */
@DisplayName("Security of a running instance")
class SecurityTest {

  static OnsaleApp app;
  static TestHttp http;
  static OnsaleConfig config;
  static long eventId;
  static String slug = "security";
  static JsonObject order;

  @BeforeAll
  static void start() {
    config = TestEnv.freshConfig(Map.of("ONSALE_ADMIN_TOKEN", FaultRig.ADMIN_TOKEN, "ONSALE_HTTP_INSTANCES", "1"));
    app = await(OnsaleApp.start(config));
    http = new TestHttp(app.port());
    http.checkedAgainst(ApiContract.of(http.get("/openapi.yaml").raw().toString(java.nio.charset.StandardCharsets.UTF_8)));
    long[] event = FaultRig.eventOnSale(http, slug, 10, false);
    eventId = event[0];
    JsonObject hold = http.post("/api/v1/events/" + eventId + "/reservations", AbuseTest.items(event[1], 1), Map.of()).json();
    order = http.post(Holds.orderPath(hold), AbuseTest.buyer("Sec Buyer", "sec@example.org"), Map.of()).json();
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (app != null) {
      await(app.stop());
    }
  }

  /** Pages, API answers, errors and documents: every kind of answer the server gives. */
  static List<String> everyKindOfAnswer() {
    return List.of("/", "/e/" + slug, "/ops", "/admin", "/api/v1/events/" + eventId, "/api/v1/events/424242",
        "/api/v1/admin/events", "/openapi.yaml", "/metrics", "/health/live", "/health/ready", "/no/such/page",
        "/api/v1/orders/" + order.getString("code") + "?secret=" + order.getString("secret"));
  }

  @Test
  @DisplayName("every answer carries CSP with frame-ancestors, nosniff and a referrer policy")
  void securityHeaders() {
    for (String path : everyKindOfAnswer()) {
      Answer answer = http.get(path);
      assertThat(answer.headers().get("Content-Security-Policy")).as(path).contains("frame-ancestors 'none'")
          .contains("default-src 'self'").doesNotContain("unsafe-eval");
      assertThat(answer.headers().get("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
      assertThat(answer.headers().get("Referrer-Policy")).as(path).isEqualTo("no-referrer");
      assertThat(answer.headers().get("X-Frame-Options")).as(path).isEqualTo("DENY");
    }
  }

  @Test
  @DisplayName("order data and its PDFs need the order secret, and the right secret opens them")
  void orderNeedsItsSecret() {
    String code = order.getString("code");
    assertThat(http.get("/api/v1/orders/" + code).status()).isEqualTo(404);
    assertThat(http.get("/api/v1/orders/" + code + "?secret=" + "0".repeat(32)).status()).isEqualTo(404);
    Answer right = http.get("/api/v1/orders/" + code + "?secret=" + order.getString("secret"));
    assertThat(right.status()).isEqualTo(200);
    assertThat(right.json().getJsonObject("buyer").getString("email")).isEqualTo("sec@example.org");
    assertThat(right.headers().get("Cache-Control")).contains("no-store");
    long ticket = order.getJsonArray("tickets").getJsonObject(0).getLong("id");
    Answer pdf = http.get("/api/v1/orders/" + code + "/tickets/" + ticket + ".pdf");
    assertThat(pdf.status()).isEqualTo(404);
    assertThat(pdf.json().getString("error")).isEqualTo("not_found");
  }

  @Test
  @DisplayName("order codes and secrets look random: 12 base-32 characters and 32 hex digits")
  void codesLookRandom() {
    assertThat(order.getString("code")).matches("[0-9A-HJKMNP-TV-Z]{12}");
    assertThat(order.getString("secret")).matches("[0-9a-f]{32}");
  }

  @Test
  @DisplayName("organizer and operator API answers 401 without the organizer token")
  void organizerApiNeedsTheToken() {
    List<String> guarded = new ArrayList<>(List.of("/api/v1/admin/events", "/api/v1/admin/events/" + eventId,
        "/api/v1/admin/events/" + eventId + "/stats", "/api/v1/admin/events/" + eventId + "/orders",
        "/api/v1/admin/invariants", "/api/v1/ops/queues"));
    for (String path : guarded) {
      Answer answer = http.get(path);
      if (path.startsWith("/api/v1/ops") && answer.status() == 404) {
        continue; // the ops API is not served by this build
      }
      assertThat(answer.status()).as(path).isEqualTo(401);
      assertThat(http.get(path, FaultRig.admin()).status()).as(path + " with the token").isEqualTo(200);
    }
  }

  @Test
  @DisplayName("operator and organizer pages show no sale data without the organizer token")
  void pagesNeedTheToken() {
    for (String page : List.of("/ops", "/admin")) {
      Answer answer = http.get(page);
      String body = answer.raw() == null ? "" : answer.raw().toString();
      if (answer.status() == 200) {
        assertThat(body).as(page + " without a token must not show buyers").doesNotContain("sec@example.org")
            .doesNotContain(order.getString("code"));
      } else {
        assertThat(answer.status()).as(page).isIn(401, 403, 404);
      }
    }
  }

  @Test
  @DisplayName("every cookie the server sets is HttpOnly and SameSite")
  void cookies() {
    List<String> cookies = new ArrayList<>();
    for (String path : everyKindOfAnswer()) {
      cookies.addAll(http.get(path).headers().getAll("Set-Cookie"));
    }
    long guarded = FaultRig.eventOnSale(http, "security-queue", 5, true)[0];
    Answer join = http.post("/api/v1/events/" + guarded + "/queue", new JsonObject(), Map.of());
    cookies.addAll(join.headers().getAll("Set-Cookie"));
    cookies.addAll(http.get("/e/security-queue").headers().getAll("Set-Cookie"));
    if (join.status() != 404) {
      assertThat(cookies).as("the queue sets its cookie").isNotEmpty();
    }
    for (String cookie : cookies) {
      assertThat(cookie).as("cookie").containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=");
    }
  }

  /**
   * A tripwire over the sources of every module: secrets and tokens are compared with
   * {@code MessageDigest.isEqual}, never {@code equals}, so the time an answer takes does not
   * tell an attacker how much of a guess was right.
   */
  @Test
  @DisplayName("secrets are compared in constant time across the code base")
  void constantTimeComparisons() throws IOException {
    Pattern equalsOnSecret = Pattern.compile("(?i)(secret|token|signature|password)\\w*\\)?\\.equals(IgnoreCase)?\\(|\\.equals\\(\\s*\\w*(secret|token|signature)");
    // Allowed: configuration checks at start-up, and a worker matching a job's ticket secret with
    // the database row (both internal values: no caller can time that comparison).
    List<String> allowed = List.of(
        "tokenSecret.equals(DEV_TOKEN_SECRET)", "adminToken.equals(DEV_ADMIN_TOKEN)",
        "secret.equals(row.getString(\"sold_secret\"))", "secret.equals(row.getString(\"current_secret\"))");
    Path root = Path.of("").toAbsolutePath().getParent();
    List<String> findings = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/")).toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          if (equalsOnSecret.matcher(line).find() && allowed.stream().noneMatch(line::contains)) {
            findings.add(root.relativize(file) + ":" + (i + 1) + ": " + line.trim());
          }
        }
      }
    }
    assertThat(findings).as("secrets compared with equals").isEmpty();
    String shop = Files.readString(root.resolve("sale-core/src/main/java/dev/onsale/sale/ShopApi.java"));
    String admin = Files.readString(root.resolve("common/src/main/java/dev/onsale/common/AdminAuth.java"));
    assertThat(shop).contains("MessageDigest.isEqual");
    assertThat(admin).contains("MessageDigest.isEqual");
  }
}
