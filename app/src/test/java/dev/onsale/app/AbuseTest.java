package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Tokens;
import dev.onsale.common.testing.ApiContract;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Every documented endpoint of a full instance (all roles) against hostile input: malformed and
 * mistyped bodies, out-of-range numbers, long, non-UTF-8 and injected strings, a 10 MB body, path
 * traversal in ids, and missing, wrong, expired, forged and other-event tokens. Each answer must
 * be a 4xx JSON error, and neither PostgreSQL nor Redis may change. The operations come from the
 * served OpenAPI document, so endpoints that other modules add are attacked too.
 */
@DisplayName("Hostile input to every endpoint")
class AbuseTest {

  static OnsaleApp app;
  static OnsaleConfig config;
  static TestHttp http;
  static ApiContract contract;
  static Vertx vertx;
  static Tokens tokens;
  static Tokens otherKey;
  /** Event with the waiting room on (tokens are checked), event with it off, a second guarded event. */
  static long guarded;
  static long open;
  static long otherGuarded;
  static long guardedCategory;
  static long openCategory;
  static String reservationId;
  static String orderCode;
  static String orderSecret;
  static long orderTicketId;
  static Set<String> operations;
  static Map<String, Map<String, Object>> documented;
  static String dbBefore;
  static String redisBefore;
  static final Map<String, Integer> CASES_PER_OPERATION = new TreeMap<>();
  static final String IDEMPOTENCY_KEY = "abuse-key-1";
  static String keyedReservationId;

  @BeforeAll
  static void start() throws Exception {
    config = TestEnv.freshConfig(Map.of("ONSALE_HTTP_INSTANCES", "2", "ONSALE_ADMIN_TOKEN", FaultRig.ADMIN_TOKEN));
    app = await(OnsaleApp.start(config));
    http = new TestHttp(app.port());
    // Every answer this suite gets, hostile or not, must be one the served document promises.
    contract = ApiContract.of(http.get("/openapi.yaml").raw().toString(StandardCharsets.UTF_8));
    http.checkedAgainst(contract);
    vertx = Vertx.vertx();
    tokens = app.services().tokens();
    otherKey = new Tokens(vertx, "a-completely-different-secret-0123456789-xyz");
    long[] g = FaultRig.eventOnSale(http, "abuse-guarded", 20, true);
    long[] o = FaultRig.eventOnSale(http, "abuse-open", 20, false);
    otherGuarded = FaultRig.eventOnSale(http, "abuse-other", 5, true)[0];
    guarded = g[0];
    guardedCategory = g[1];
    open = o[0];
    openCategory = o[1];
    reservationId = reserve(open, openCategory).getString("id");
    JsonObject ordered = reserve(open, openCategory);
    JsonObject order = http.post(Holds.orderPath(ordered), buyer("Known Buyer", "known@example.org"), Map.of()).json();
    orderCode = order.getString("code");
    orderSecret = order.getString("secret");
    orderTicketId = order.getJsonArray("tickets").getJsonObject(0).getLong("id");
    Answer keyed = http.post("/api/v1/events/" + open + "/reservations", items(openCategory, 1), Map.of("Idempotency-Key", IDEMPOTENCY_KEY));
    assertThat(keyed.status()).as("reserve with a key: %s", keyed.raw()).isEqualTo(201);
    keyedReservationId = keyed.json().getString("id");
    documented = documentedOperations();
    operations = documented.keySet();
    // Let background publication settle before the snapshot: availability and meta are refreshed every few seconds.
    DisposableRedis.sleep(1500);
    dbBefore = dbSnapshot();
    redisBefore = redisSnapshot();
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
    if (app != null) {
      await(app.stop());
    }
  }

  private static JsonObject reserve(long eventId, long categoryId) {
    Answer answer = http.post("/api/v1/events/" + eventId + "/reservations", items(categoryId, 1), Map.of());
    assertThat(answer.status()).as("reserve: %s", answer.raw()).isEqualTo(201);
    return answer.json();
  }

  static JsonObject items(Object categoryId, Object quantity) {
    return new JsonObject().put("items", new JsonArray().add(new JsonObject().put("categoryId", categoryId).put("quantity", quantity)));
  }

  static JsonObject buyer(Object name, Object email) {
    return new JsonObject().put("buyer", new JsonObject().put("name", name).put("email", email));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> documentedOperations() {
    Answer answer = http.get("/openapi.yaml");
    assertThat(answer.status()).isEqualTo(200);
    Map<String, Object> document = new Yaml().load(answer.raw().toString(StandardCharsets.UTF_8));
    Map<String, Map<String, Object>> ops = new TreeMap<>();
    ((Map<String, Object>) document.get("paths")).forEach((path, item) -> ((Map<String, Object>) item).forEach((verb, op) -> {
      if (Set.of("get", "post", "put", "patch", "delete").contains(verb)) {
        ops.put(verb.toUpperCase() + " " + path, (Map<String, Object>) op);
      }
    }));
    return ops;
  }

  // ---------------------------------------------------------------- snapshots

  /** Every row count and ticket state a hostile request must leave as it was (not the workers' progress). */
  static String dbSnapshot() {
    return await(app.services().pg().query("""
        SELECT (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM categories) || '/' ||
               (SELECT count(*) FROM tickets) || '/' || (SELECT count(*) FROM reservations) || '/' ||
               (SELECT count(*) FROM orders) || '/' || (SELECT count(*) FROM outbox) || '/' ||
               (SELECT count(*) FROM order_tickets) || '/' || (SELECT count(*) FROM webhooks) || '/' ||
               (SELECT string_agg(status || held_until::text || coalesce(reservation_id::text, '') || secret, ',' ORDER BY id) FROM tickets) || '/' ||
               (SELECT string_agg(id || status, ',' ORDER BY id) FROM reservations) || '/' ||
               (SELECT string_agg(code || status || buyer_name || buyer_email, ',' ORDER BY id) FROM orders) || '/' ||
               (SELECT string_agg(name || slug || venue || admission_rate_per_minute || max_active_shoppers || paused
                  || sale_starts_at::text || sale_ends_at::text || waiting_room, ',' ORDER BY id) FROM events) || '/' ||
               (SELECT string_agg(name || capacity || price_cents, ',' ORDER BY id) FROM categories)""").execute())
        .iterator().next().getString(0);
  }

  /**
   * The Redis keys under the test's prefix with what a request could change: names, types, hashes
   * (minus refresh stamps), string values and collection sizes. Left out: job streams and alerts
   * (workers move them on their own), rate-limit counters (counting abuse is their job), leases
   * and locks that instances renew by themselves, and the admission controller's own counters.
   */
  static String redisSnapshot() {
    Response keys = await(app.services().redis().send(Request.cmd(Command.KEYS).arg(config.redisPrefix() + "*")));
    Map<String, String> out = new TreeMap<>();
    for (Response key : keys) {
      String name = key.toString();
      String local = name.substring(config.redisPrefix().length());
      if (local.startsWith("jobs:") || local.startsWith("{jobs:") || local.contains("ratelimit:") || local.startsWith("alerts")
          || local.startsWith("admission:") || local.contains("lease") || local.contains("leader")
          || local.contains("lock") || local.contains("heartbeat") || local.endsWith(":serving") || local.endsWith(":admitted")
          || local.endsWith(":state") || local.endsWith(":active")) {
        continue;
      }
      String type = await(app.services().redis().send(Request.cmd(Command.TYPE).arg(name))).toString();
      String value = switch (type) {
        case "string" -> await(app.services().redis().send(Request.cmd(Command.GET).arg(name))).toString();
        case "hash" -> {
          Response all = await(app.services().redis().send(Request.cmd(Command.HGETALL).arg(name)));
          Map<String, String> fields = new TreeMap<>();
          for (int i = 0; i + 1 < all.size(); i += 2) {
            if (!all.get(i).toString().equals("updatedAt")) {
              fields.put(all.get(i).toString(), all.get(i + 1).toString());
            }
          }
          yield fields.toString();
        }
        case "set" -> "size " + await(app.services().redis().send(Request.cmd(Command.SCARD).arg(name)));
        case "zset" -> "size " + await(app.services().redis().send(Request.cmd(Command.ZCARD).arg(name)));
        case "list" -> "size " + await(app.services().redis().send(Request.cmd(Command.LLEN).arg(name)));
        default -> type;
      };
      out.put(local, type + " " + value);
    }
    return out.toString();
  }

  // ---------------------------------------------------------------- tokens

  static String jwt(JsonObject header, JsonObject payload, String signature) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8)) + "." + signature;
  }

  /** Tokens that must not open anything guarded by a {@code kind} token for {@code eventId}. */
  static Map<String, String> badTokens(String kind, long eventId) {
    long exp = Instant.now().plusSeconds(300).getEpochSecond();
    JsonObject claims = new JsonObject().put("typ", kind).put("ev", eventId).put("n", 1).put("exp", exp).put("mid", "m");
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("no token", null);
    bad.put("an empty bearer", "Bearer ");
    bad.put("a Basic credential", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes()));
    bad.put("garbage", "Bearer not.a.token");
    bad.put("a 10,000 character token", "Bearer " + "A".repeat(10_000));
    bad.put("alg none", "Bearer " + jwt(new JsonObject().put("alg", "none").put("typ", "JWT"), claims, ""));
    bad.put("alg none with a signature", "Bearer " + jwt(new JsonObject().put("alg", "none").put("typ", "JWT"), claims, "c2ln"));
    bad.put("HS256 signed with another key", "Bearer " + (kind.equals(Tokens.QUEUE)
        ? otherKey.queueToken(eventId, 1, "m", 300) : otherKey.admissionToken(eventId, 1, 300)));
    bad.put("an expired token", "Bearer " + (kind.equals(Tokens.QUEUE)
        ? tokens.queueToken(eventId, 1, "m", -120) : tokens.admissionToken(eventId, 1, -120)));
    bad.put("another event's token", "Bearer " + (kind.equals(Tokens.QUEUE)
        ? tokens.queueToken(otherGuarded, 1, "m", 300) : tokens.admissionToken(otherGuarded, 1, 300)));
    bad.put("the other kind of token", "Bearer " + (kind.equals(Tokens.QUEUE)
        ? tokens.admissionToken(eventId, 1, 300) : tokens.queueToken(eventId, 1, "m", 300)));
    String good = kind.equals(Tokens.QUEUE) ? tokens.queueToken(eventId, 1, "m", 300) : tokens.admissionToken(eventId, 1, 300);
    String[] parts = good.split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    bad.put("a valid token with its number changed", "Bearer " + parts[0] + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.put("n", 0).encode().getBytes(StandardCharsets.UTF_8))
        + "." + parts[2]);
    return bad;
  }

  static Map<String, String> badAdminTokens() {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("no token", null);
    bad.put("a wrong token", "Bearer wrong-admin-token-0123456789");
    bad.put("the token with one more character", "Bearer " + config.adminToken() + "x");
    bad.put("the token's first half", "Bearer " + config.adminToken().substring(0, config.adminToken().length() / 2));
    bad.put("the token as Basic", "Basic " + config.adminToken());
    bad.put("the development default", "Bearer " + OnsaleConfig.DEV_ADMIN_TOKEN);
    bad.put("a buyer's admission token", "Bearer " + tokens.admissionToken(guarded, 1, 300));
    bad.put("alg none", "Bearer " + jwt(new JsonObject().put("alg", "none"), new JsonObject().put("admin", true), ""));
    return bad;
  }

  // ---------------------------------------------------------------- cases

  record Case(String operation, String name, HttpMethod method, String path, Buffer body, Map<String, String> headers) {
    @Override
    public String toString() {
      return operation + ": " + name;
    }
  }

  static final List<String> HOSTILE_IDS = List.of("0", "-1", "99999999999999999999", "abc", "1.5", "1e3",
      "..%2F..%2Fetc%2Fpasswd", "..%5C..%5Cwindows", "%2e%2e%2f%2e%2e%2f", "%27%20OR%20%271%27%3D%271",
      "1%3B%20DROP%20TABLE%20tickets", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%C3%28", "%00", "%FF%FE",
      "x".repeat(3000));

  static final Buffer TEN_MB = Buffer.buffer("{\"items\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}");

  static Map<String, Buffer> hostileBodies() {
    Map<String, Buffer> bodies = new LinkedHashMap<>();
    bodies.put("malformed JSON", Buffer.buffer("{\"items\": [{"));
    bodies.put("a JSON array", Buffer.buffer("[1,2,3]"));
    bodies.put("JSON null", Buffer.buffer("null"));
    bodies.put("a JSON string", Buffer.buffer("\"hello\""));
    bodies.put("an empty body", Buffer.buffer());
    bodies.put("an empty object", Buffer.buffer("{}"));
    bodies.put("only an unknown field", Buffer.buffer("{\"surprise\":true}"));
    bodies.put("every field the wrong type", new JsonObject().put("items", 5).put("buyer", "x").put("name", 7)
        .put("paused", "yes").put("categories", "all").put("admissionRatePerMinute", "fast").toBuffer());
    bodies.put("non-UTF-8 bytes", Buffer.buffer(new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28,
        (byte) 0xFF, '"', '}'}));
    bodies.put("a lone surrogate escape", Buffer.buffer("{\"name\":\"\\uD800\"}"));
    bodies.put("deeply nested JSON", Buffer.buffer("[".repeat(5000) + "]".repeat(5000)));
    bodies.put("a 10 MB body", TEN_MB);
    bodies.put("SQL injection in every field", new JsonObject().put("items", "' OR 1=1; DROP TABLE tickets;--")
        .put("buyer", "'); DELETE FROM orders;--").put("slug", "x'; DROP TABLE events;--").toBuffer());
    bodies.put("HTML injection in every field", new JsonObject().put("items", "<script>alert(1)</script>")
        .put("buyer", "<img src=x onerror=alert(1)>").toBuffer());
    return bodies;
  }

  /** Known-good path parameters, so that body and token cases reach validation. */
  static String fill(String template, long eventId) {
    return template
        .replace("{eventId}", String.valueOf(eventId))
        .replace("{reservationId}", reservationId)
        .replace("{code}", orderCode)
        .replace("{file}", orderTicketId + ".pdf")
        .replace("{webhookId}", "1")
        .replace("{paymentId}", UNKNOWN_PAYMENT)
        .replace("{provider}", "test");
  }

  /** A payment id of the right shape that no payment has: the test provider's endpoints answer 404. */
  static final String UNKNOWN_PAYMENT = "00000000-0000-4000-8000-000000000000";

  static Stream<Arguments> cases() {
    List<Case> cases = new ArrayList<>();
    Map<String, String> admin = Map.of("Authorization", "Bearer " + config.adminToken());
    for (var entry : documented.entrySet()) {
      String op = entry.getKey();
      HttpMethod method = HttpMethod.valueOf(op.substring(0, op.indexOf(' ')));
      String template = op.substring(op.indexOf(' ') + 1);
      Map<String, Object> spec = entry.getValue();
      String security = String.valueOf(spec.get("security"));
      boolean organizer = security.contains("organizer");
      boolean hasBody = spec.containsKey("requestBody");
      Map<String, String> auth = organizer ? admin : Map.of();
      long eventForBody = template.contains("reservations") && template.contains("events") ? open : open;
      // 1. hostile path parameters
      for (String param : List.of("{eventId}", "{reservationId}", "{code}", "{file}", "{webhookId}", "{paymentId}")) {
        if (!template.contains(param)) {
          continue;
        }
        for (String hostile : HOSTILE_IDS) {
          String path = fill(template.replace(param, hostile), eventForBody);
          Buffer body = hasBody ? Buffer.buffer("{}") : null;
          cases.add(new Case(op, param + " = " + abbreviate(hostile), method, path, body, auth));
        }
        if (param.equals("{eventId}")) {
          cases.add(new Case(op, "an event that does not exist", method, fill(template.replace(param, "987654321"), open),
              hasBody ? Buffer.buffer("{}") : null, auth));
        }
        if (param.equals("{reservationId}")) {
          cases.add(new Case(op, "a reservation that does not exist", method,
              fill(template.replace(param, UUID.randomUUID().toString()), open), hasBody ? buyer("Nobody", "n@example.org").toBuffer() : null, auth));
        }
        if (param.equals("{code}")) {
          cases.add(new Case(op, "an order that does not exist", method, fill(template.replace(param, "AAAAAAAAAAAA"), open),
              null, auth));
        }
      }
      // 2. hostile bodies
      if (hasBody) {
        // An optional body (the queue join's) may be empty or an empty object: those two are not hostile there.
        boolean required = Boolean.TRUE.equals(((Map<?, ?>) spec.get("requestBody")).get("required"));
        hostileBodies().forEach((name, body) -> {
          if (required || !(name.equals("an empty body") || name.equals("an empty object"))) {
            cases.add(new Case(op, name, method, fill(template, eventForBody), body, auth));
          }
        });
      }
      // 3. organizer tokens
      if (organizer) {
        Buffer body = hasBody ? validBody(op) : null;
        badAdminTokens().forEach((name, header) -> cases.add(new Case(op, "organizer: " + name, method,
            fill(template, open), body, header == null ? Map.of() : Map.of("Authorization", header))));
      }
      // 4. a method the path does not serve
      cases.add(new Case(op, "PUT instead of " + method, HttpMethod.PUT, fill(template, open), Buffer.buffer("{}"), auth));
    }
    // 5. buyer tokens where the event's waiting room guards it
    String reservePath = "/api/v1/events/" + guarded + "/reservations";
    badTokens(Tokens.ADMISSION, guarded).forEach((name, header) -> cases.add(new Case(
        "POST /api/v1/events/{eventId}/reservations", "admission: " + name, HttpMethod.POST, reservePath,
        items(guardedCategory, 1).toBuffer(), header == null ? Map.of() : Map.of("Authorization", header))));
    String statusPath = "/api/v1/events/" + guarded + "/queue/status";
    badTokens(Tokens.QUEUE, guarded).forEach((name, header) -> cases.add(new Case(
        "GET /api/v1/events/{eventId}/queue/status", "queue: " + name, HttpMethod.GET, statusPath, null,
        header == null ? Map.of() : Map.of("Authorization", header))));
    // 6. numbers and strings each endpoint must refuse
    String reserve = "POST /api/v1/events/{eventId}/reservations";
    String reserveOpen = "/api/v1/events/" + open + "/reservations";
    for (Object quantity : List.<Object>of(0, -1, Integer.MAX_VALUE, Long.MAX_VALUE, 1.5, 1e308, "1", true)) {
      cases.add(new Case(reserve, "quantity " + quantity, HttpMethod.POST, reserveOpen, items(openCategory, quantity).toBuffer(), Map.of()));
    }
    for (Object category : List.<Object>of(0, -1, Long.MAX_VALUE, "' OR 1=1--", guardedCategory, new JsonObject())) {
      cases.add(new Case(reserve, "categoryId " + category, HttpMethod.POST, reserveOpen, items(category, 1).toBuffer(), Map.of()));
    }
    JsonArray many = new JsonArray();
    for (int i = 0; i < 5000; i++) {
      many.add(new JsonObject().put("categoryId", openCategory).put("quantity", 1));
    }
    cases.add(new Case(reserve, "5,000 items", HttpMethod.POST, reserveOpen, new JsonObject().put("items", many).toBuffer(), Map.of()));
    cases.add(new Case(reserve, "an extra field in an item", HttpMethod.POST, reserveOpen, new JsonObject().put("items", new JsonArray()
        .add(new JsonObject().put("categoryId", openCategory).put("quantity", 1).put("priceCents", 0))).toBuffer(), Map.of()));
    cases.add(new Case(reserve, "an overlong Idempotency-Key", HttpMethod.POST, reserveOpen, items(openCategory, 0).toBuffer(),
        Map.of("Idempotency-Key", "k".repeat(5000))));
    String order = "POST /api/v1/reservations/{reservationId}/order";
    String orderPath = "/api/v1/reservations/" + reservationId + "/order";
    Map<String, Object[]> buyers = new LinkedHashMap<>();
    buyers.put("a 10,000 character name", new Object[] {"N".repeat(10_000), "a@example.org"});
    buyers.put("an empty name", new Object[] {"", "a@example.org"});
    buyers.put("a numeric name", new Object[] {42, "a@example.org"});
    buyers.put("SQL injection as the e-mail", new Object[] {"Bob", "' OR 1=1;--"});
    buyers.put("HTML injection as the e-mail", new Object[] {"<script>alert(1)</script>", "<b>bob</b>"});
    buyers.put("a 10,000 character e-mail", new Object[] {"Bob", "a".repeat(10_000) + "@example.org"});
    buyers.put("an e-mail with a newline (header injection)", new Object[] {"Bob", "bob@example.org\r\nBcc: all@example.org"});
    buyers.put("a null e-mail", new Object[] {"Bob", null});
    buyers.forEach((name, b) -> cases.add(new Case(order, name, HttpMethod.POST, orderPath, buyer(b[0], b[1]).toBuffer(), Map.of())));
    cases.add(new Case(order, "an extra field in buyer", HttpMethod.POST, orderPath, new JsonObject().put("buyer", new JsonObject()
        .put("name", "Bob").put("email", "bob@example.org").put("admin", true)).toBuffer(), Map.of()));
    cases.add(new Case(order, "an extra top-level field", HttpMethod.POST, orderPath, buyer("Bob", "bob@example.org")
        .put("totalCents", 0).toBuffer(), Map.of()));
    String patch = "PATCH /api/v1/admin/events/{eventId}";
    String patchPath = "/api/v1/admin/events/" + open;
    Map<String, Object> changes = new LinkedHashMap<>();
    changes.put("admissionRatePerMinute", -1);
    changes.put("maxActiveShoppers", 0);
    changes.put("maxTicketsPerOrder", Long.MAX_VALUE);
    changes.put("holdSeconds", 1e308);
    changes.put("paused", "' OR 1=1");
    changes.put("name", "N".repeat(10_000));
    changes.put("saleEndsAt", "<script>alert(1)</script>");
    changes.put("waitingRoom", "'; DROP TABLE events;--");
    changes.put("slug", "../../etc/passwd");
    changes.put("categories", new JsonArray().add(new JsonObject().put("id", guardedCategory).put("capacity", 1)));
    changes.forEach((field, value) -> cases.add(new Case(patch, field + " = " + abbreviate(String.valueOf(value)),
        HttpMethod.PATCH, patchPath, new JsonObject().put(field, value).toBuffer(), admin)));
    String ordersList = "GET /api/v1/admin/events/{eventId}/orders";
    for (String query : List.of("limit=-1", "limit=0", "limit=100000", "limit=abc", "after=-5", "after=%27%20OR%201%3D1",
        "limit=99999999999999999999")) {
      cases.add(new Case(ordersList, "?" + query, HttpMethod.GET, "/api/v1/admin/events/" + open + "/orders?" + query, null, admin));
    }
    String showOrder = "GET /api/v1/orders/{code}";
    for (String secret : List.of("", "wrong", orderSecret.toUpperCase(), orderSecret.substring(0, 31), orderSecret + "0",
        "%27%20OR%20%271%27%3D%271", "x".repeat(3000))) {
      cases.add(new Case(showOrder, "secret " + abbreviate(secret), HttpMethod.GET, "/api/v1/orders/" + orderCode + "?secret=" + secret, null, Map.of()));
    }
    cases.add(new Case(showOrder, "no secret", HttpMethod.GET, "/api/v1/orders/" + orderCode, null, Map.of()));
    cases.add(new Case(showOrder, "the secret as a header only", HttpMethod.GET, "/api/v1/orders/" + orderCode, null,
        Map.of("Authorization", "Bearer " + orderSecret)));
    String pdf = "GET /api/v1/orders/{code}/tickets/{file}";
    cases.add(new Case(pdf, "a ticket PDF without the secret", HttpMethod.GET, "/api/v1/orders/" + orderCode + "/tickets/" + orderTicketId + ".pdf", null, Map.of()));
    cases.add(new Case(pdf, "a ticket PDF with a wrong secret", HttpMethod.GET,
        "/api/v1/orders/" + orderCode + "/tickets/" + orderTicketId + ".pdf?secret=" + "0".repeat(32), null, Map.of()));
    cases.add(new Case(pdf, "another order's ticket with this order's secret", HttpMethod.GET,
        "/api/v1/orders/" + orderCode + "/tickets/" + (orderTicketId + 1) + ".pdf?secret=" + orderSecret, null, Map.of()));
    cases.add(new Case(pdf, "a traversal file name with the secret", HttpMethod.GET,
        "/api/v1/orders/" + orderCode + "/tickets/..%2F..%2F..%2Fetc%2Fpasswd?secret=" + orderSecret, null, Map.of()));
    // 7. requests the HTTP layer must refuse as JSON too
    cases.add(new Case("(any)", "a 20,000 character URL", HttpMethod.GET, "/api/v1/events/" + "9".repeat(20_000), null, Map.of()));
    cases.add(new Case("(any)", "a 40 KB header", HttpMethod.GET, "/api/v1/events/" + open + "/nothing", null,
        Map.of("X-Big", "h".repeat(40_000))));
    cases.add(new Case("(any)", "an unknown path", HttpMethod.GET, "/api/v1/../../etc/passwd", null, Map.of()));
    cases.add(new Case("(any)", "a form body", HttpMethod.POST, "/api/v1/events/" + open + "/reservations",
        Buffer.buffer("items=1"), Map.of("Content-Type", "application/x-www-form-urlencoded")));
    cases.forEach(c -> CASES_PER_OPERATION.merge(c.operation(), 1, Integer::sum));
    return cases.stream().map(Arguments::of);
  }

  /** A body that would be accepted with the right credentials: only the token is wrong. */
  static Buffer validBody(String op) {
    if (op.startsWith("PATCH")) {
      return new JsonObject().put("paused", true).toBuffer();
    }
    if (op.equals("POST /api/v1/admin/events")) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      return new JsonObject().put("name", "Sneaky").put("slug", "sneaky").put("venue", "V")
          .put("startsAt", now.plusSeconds(864000).toString()).put("queueOpensAt", now.toString())
          .put("saleStartsAt", now.plusSeconds(60).toString()).put("saleEndsAt", now.plusSeconds(86400).toString())
          .put("admissionRatePerMinute", 60).put("maxActiveShoppers", 10).put("waitingRoom", "off")
          .put("categories", new JsonArray().add(new JsonObject().put("name", "A").put("priceCents", 1).put("currency", "EUR")
              .put("capacity", 1))).toBuffer();
    }
    return Buffer.buffer("{}");
  }

  /**
   * Bad input named one by one, each a mistake a client could make against the organizer and buyer
   * APIs (the event with the waiting room off): missing and wrong fields, impossible quantities,
   * someone else's reservation, secrets that do not match.
   */
  static Stream<Arguments> namedCases() {
    String events = "/api/v1/admin/events";
    String reserve = "/api/v1/events/" + open + "/reservations";
    String order = "/api/v1/reservations/" + reservationId + "/order";
    Map<String, String> admin = Map.of("Authorization", "Bearer " + config.adminToken());
    JsonObject valid = new JsonObject(validBody("POST /api/v1/admin/events"));
    List<Case> cases = new ArrayList<>();
    // organizer API
    cases.add(new Case("named", "create without a token", HttpMethod.POST, events, valid.toBuffer(), Map.of()));
    cases.add(new Case("named", "create with a wrong token", HttpMethod.POST, events, valid.toBuffer(), Map.of("Authorization", "Bearer nope")));
    cases.add(new Case("named", "create with malformed JSON", HttpMethod.POST, events, Buffer.buffer("{\"name\": "), admin));
    cases.add(new Case("named", "create with a JSON array", HttpMethod.POST, events, Buffer.buffer("[1,2]"), admin));
    cases.add(new Case("named", "create with an empty body", HttpMethod.POST, events, Buffer.buffer(), admin));
    cases.add(new Case("named", "create with a 2 MB body", HttpMethod.POST, events, Buffer.buffer("x".repeat(2 * 1024 * 1024)), admin));
    cases.add(new Case("named", "create with non-UTF-8 bytes", HttpMethod.POST, events, Buffer.buffer(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}), admin));
    for (String field : List.of("name", "slug", "venue", "startsAt", "queueOpensAt", "saleStartsAt", "saleEndsAt",
        "admissionRatePerMinute", "maxActiveShoppers", "categories")) {
      JsonObject missing = valid.copy();
      missing.remove(field);
      cases.add(new Case("named", "create without " + field, HttpMethod.POST, events, missing.toBuffer(), admin));
    }
    Map<String, Object> wrong = new HashMap<>();
    wrong.put("name", 42);
    wrong.put("slug", "Not A Slug!");
    wrong.put("venue", "");
    wrong.put("startsAt", "yesterday");
    wrong.put("saleEndsAt", "2000-01-01T00:00:00Z");
    wrong.put("admissionRatePerMinute", -5);
    wrong.put("maxActiveShoppers", 0);
    wrong.put("maxTicketsPerOrder", 1_000_000_000_000L);
    wrong.put("holdSeconds", 2.5);
    wrong.put("waitingRoom", "maybe");
    wrong.put("preQueue", "lottery");
    wrong.put("categories", new JsonArray());
    wrong.put("surprise", "extra field");
    wrong.forEach((field, value) -> cases.add(new Case("named", "create with bad " + field, HttpMethod.POST, events,
        valid.copy().put(field, value).toBuffer(), admin)));
    for (Object capacity : List.<Object>of(0, -1, 1_000_001, "ten", 99999999999999999L)) {
      JsonObject body = valid.copy().put("categories", new JsonArray().add(new JsonObject()
          .put("name", "A").put("priceCents", 100).put("currency", "EUR").put("capacity", capacity)));
      cases.add(new Case("named", "create with capacity " + capacity, HttpMethod.POST, events, body.toBuffer(), admin));
    }
    cases.add(new Case("named", "create with two currencies", HttpMethod.POST, events, valid.copy().put("categories", new JsonArray()
        .add(new JsonObject().put("name", "A").put("priceCents", 100).put("currency", "EUR").put("capacity", 1))
        .add(new JsonObject().put("name", "B").put("priceCents", 100).put("currency", "USD").put("capacity", 1))).toBuffer(), admin));
    cases.add(new Case("named", "create with a taken slug", HttpMethod.POST, events, valid.copy().put("slug", "abuse-open").toBuffer(), admin));
    cases.add(new Case("named", "create with SQL in the slug", HttpMethod.POST, events, valid.copy().put("slug", "x'; DROP TABLE tickets;--").toBuffer(), admin));
    cases.add(new Case("named", "patch an unknown event", HttpMethod.PATCH, events + "/999999", new JsonObject().put("paused", true).toBuffer(), admin));
    cases.add(new Case("named", "patch with a path traversal id", HttpMethod.PATCH, events + "/..%2F..%2Fetc", new JsonObject().put("paused", true).toBuffer(), admin));
    cases.add(new Case("named", "patch with nothing", HttpMethod.PATCH, events + "/" + open, new JsonObject().toBuffer(), admin));
    cases.add(new Case("named", "patch the slug", HttpMethod.PATCH, events + "/" + open, new JsonObject().put("slug", "other").toBuffer(), admin));
    cases.add(new Case("named", "patch times out of order", HttpMethod.PATCH, events + "/" + open,
        new JsonObject().put("saleEndsAt", "2001-01-01T00:00:00Z").toBuffer(), admin));
    cases.add(new Case("named", "patch an unknown category", HttpMethod.PATCH, events + "/" + open,
        new JsonObject().put("categories", new JsonArray().add(new JsonObject().put("id", 987654).put("capacity", 5))).toBuffer(), admin));
    cases.add(new Case("named", "patch paused with a string", HttpMethod.PATCH, events + "/" + open, new JsonObject().put("paused", "yes").toBuffer(), admin));
    cases.add(new Case("named", "stats of an unknown event", HttpMethod.GET, events + "/424242/stats", null, admin));
    cases.add(new Case("named", "stats without a token", HttpMethod.GET, events + "/" + open + "/stats", null, Map.of()));
    cases.add(new Case("named", "orders with a bad limit", HttpMethod.GET, events + "/" + open + "/orders?limit=-3", null, admin));
    cases.add(new Case("named", "cancel an unknown order", HttpMethod.POST, "/api/v1/admin/orders/AAAAAAAAAAAA/cancel", null, admin));
    cases.add(new Case("named", "cancel without a token", HttpMethod.POST, "/api/v1/admin/orders/" + orderCode + "/cancel", null, Map.of()));
    // buyer API
    cases.add(new Case("named", "reserve with malformed JSON", HttpMethod.POST, reserve, Buffer.buffer("{items:"), Map.of()));
    cases.add(new Case("named", "reserve with no items", HttpMethod.POST, reserve, new JsonObject().put("items", new JsonArray()).toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve with items as a string", HttpMethod.POST, reserve, new JsonObject().put("items", "all").toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve zero tickets", HttpMethod.POST, reserve, items(openCategory, 0).toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve negative tickets", HttpMethod.POST, reserve, items(openCategory, -2).toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve above the order limit", HttpMethod.POST, reserve, items(openCategory, 5).toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve a huge quantity", HttpMethod.POST, reserve, items(openCategory, Integer.MAX_VALUE).toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve an unknown category", HttpMethod.POST, reserve, items(999999, 1).toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve with a fractional quantity", HttpMethod.POST, reserve,
        new JsonObject().put("items", new JsonArray().add(new JsonObject().put("categoryId", openCategory).put("quantity", 1.5))).toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve a category twice", HttpMethod.POST, reserve, new JsonObject().put("items", new JsonArray()
        .add(new JsonObject().put("categoryId", openCategory).put("quantity", 1))
        .add(new JsonObject().put("categoryId", openCategory).put("quantity", 1))).toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve for an unknown event", HttpMethod.POST, "/api/v1/events/777777/reservations", items(openCategory, 1).toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve for a non-numeric event", HttpMethod.POST, "/api/v1/events/abc/reservations", items(openCategory, 1).toBuffer(), Map.of()));
    cases.add(new Case("named", "reserve with a 2 MB body", HttpMethod.POST, reserve, Buffer.buffer("{\"items\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}"), Map.of()));
    cases.add(new Case("named", "reserve with an overlong idempotency key", HttpMethod.POST, reserve, items(openCategory, 1).toBuffer(),
        Map.of("Idempotency-Key", "k".repeat(500))));
    cases.add(new Case("named", "order without a buyer", HttpMethod.POST, order, new JsonObject().toBuffer(), Map.of()));
    cases.add(new Case("named", "order with a bad e-mail", HttpMethod.POST, order, new JsonObject().put("buyer",
        new JsonObject().put("name", "X").put("email", "not-an-email")).toBuffer(), Map.of()));
    cases.add(new Case("named", "order with a 10,000 character name", HttpMethod.POST, order, new JsonObject().put("buyer",
        new JsonObject().put("name", "N".repeat(10_000)).put("email", "a@example.org")).toBuffer(), Map.of()));
    cases.add(new Case("named", "order with HTML in the name and a number e-mail", HttpMethod.POST, order, new JsonObject().put("buyer",
        new JsonObject().put("name", "<script>alert(1)</script>").put("email", 12)).toBuffer(), Map.of()));
    cases.add(new Case("named", "order an unknown reservation", HttpMethod.POST, "/api/v1/reservations/" + java.util.UUID.randomUUID() + "/order",
        buyer("Nobody", "nobody@example.org").toBuffer(), Map.of()));
    cases.add(new Case("named", "order a malformed reservation id", HttpMethod.POST, "/api/v1/reservations/..%2Fetc%2Fpasswd/order",
        buyer("Nobody", "nobody@example.org").toBuffer(), Map.of()));
    cases.add(new Case("named", "release an unknown reservation", HttpMethod.DELETE, "/api/v1/reservations/" + java.util.UUID.randomUUID(), null, Map.of()));
    // someone else's reservation (waiting room off): without the secret its reserve answer gave, it is not there
    Buffer buyer = buyer("Not The Owner", "not.the.owner@example.org").toBuffer();
    String otherSecret = tokens.reservationSecret(java.util.UUID.randomUUID());
    cases.add(new Case("named", "order a reservation without its secret", HttpMethod.POST, order, buyer, Map.of()));
    cases.add(new Case("named", "order a reservation with another's secret", HttpMethod.POST, order + "?secret=" + otherSecret, buyer, Map.of()));
    cases.add(new Case("named", "order a reservation with an admission token instead of its secret", HttpMethod.POST, order, buyer,
        Map.of("Authorization", "Bearer " + tokens.admissionToken(open, 1, 300))));
    cases.add(new Case("named", "release a reservation without its secret", HttpMethod.DELETE, "/api/v1/reservations/" + reservationId, null, Map.of()));
    cases.add(new Case("named", "release a reservation with a wrong secret", HttpMethod.DELETE,
        "/api/v1/reservations/" + reservationId + "?secret=" + otherSecret, null, Map.of()));
    cases.add(new Case("named", "show an order without its secret", HttpMethod.GET, "/api/v1/orders/" + orderCode, null, Map.of()));
    cases.add(new Case("named", "show an order with a wrong secret", HttpMethod.GET, "/api/v1/orders/" + orderCode + "?secret=00", null, Map.of()));
    cases.add(new Case("named", "show an order with SQL in the code", HttpMethod.GET, "/api/v1/orders/'%20OR%201=1--?secret=x", null, Map.of()));
    cases.add(new Case("named", "a ticket PDF with path traversal", HttpMethod.GET,
        "/api/v1/orders/" + orderCode + "/tickets/..%2F..%2Fetc%2Fpasswd?secret=" + orderSecret, null, Map.of()));
    cases.add(new Case("named", "a ticket PDF of another ticket", HttpMethod.GET,
        "/api/v1/orders/" + orderCode + "/tickets/1.pdf?secret=wrong", null, Map.of()));
    cases.add(new Case("named", "an unknown path", HttpMethod.GET, "/api/v1/nothing-here", null, Map.of()));
    return cases.stream().map(Arguments::of);
  }

  static String abbreviate(String text) {
    return text.length() > 40 ? text.substring(0, 20) + "...(" + text.length() + " chars)" : text;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"cases", "namedCases"})
  @DisplayName("gets a 4xx JSON error and changes nothing")
  void rejected(Case c) {
    Map<String, String> headers = new HashMap<>(c.headers());
    headers.putIfAbsent("Content-Type", "application/json");
    Answer answer = http.raw(c.method(), c.path(), c.body(), headers);
    String shown = answer.raw() == null ? "" : abbreviate(answer.raw().toString(StandardCharsets.UTF_8));
    assertThat(answer.status()).as("%s answered %s %s", c, answer.status(), shown).isBetween(400, 499);
    assertThat(answer.headers().get("Content-Type")).as("%s: content type of %s", c, shown).startsWith("application/json");
    assertThat(answer.json().getString("error")).isNotBlank();
    assertThat(answer.json().getString("message")).isNotBlank();
    assertThat(dbSnapshot()).as("the database is unchanged").isEqualTo(dbBefore);
    assertThat(redisSnapshot()).as("Redis is unchanged").isEqualTo(redisBefore);
  }

  @Test
  @DisplayName("attacks every documented operation")
  void coversEveryOperation() {
    cases().count();
    Set<String> uncovered = new TreeSet<>(operations);
    uncovered.removeIf(op -> CASES_PER_OPERATION.getOrDefault(op, 0) >= 1);
    assertThat(uncovered).as("operations with no hostile case").isEmpty();
    assertThat(operations.stream().filter(op -> op.contains("{")).collect(Collectors.toSet()))
        .allMatch(op -> CASES_PER_OPERATION.get(op) >= HOSTILE_IDS.size());
  }

  @Test
  @DisplayName("pages and their static files refuse hostile paths without leaking a file")
  void pagesRefuseHostilePaths() {
    List<String> paths = new ArrayList<>();
    for (String base : List.of("/e/", "/ops-assets/", "/waiting-room/assets/", "/ops-assets/vendor/uplot/")) {
      for (String hostile : List.of("..%2F..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
          "..%5C..%5C..%5Cetc%5Cpasswd", "%C3%28", "%00", "x".repeat(3000), "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
          "..%252F..%252Fetc%252Fpasswd")) {
        paths.add(base + hostile);
      }
    }
    for (String path : paths) {
      Answer answer = http.get(path);
      String body = answer.raw() == null ? "" : answer.raw().toString(StandardCharsets.UTF_8);
      assertThat(answer.status()).as("%s answered %s", abbreviate(path), answer.status()).isBetween(400, 499);
      assertThat(body).as(path).doesNotContain("root:").doesNotContain("<script>alert(1)");
    }
    assertThat(dbSnapshot()).isEqualTo(dbBefore);
  }

  // ---------------------------------------------------------------- raw HTTP

  /** What a raw exchange over a socket gave back: the status line's code, headers and body. */
  record RawAnswer(int status, Map<String, String> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** Sends bytes as they are (no client fixes them up) and reads the answer until the server closes. */
  static RawAnswer rawExchange(byte[] request) throws Exception {
    RawAnswer answer = rawExchangeUnchecked(request);
    String[] requestLine = new String(request, StandardCharsets.ISO_8859_1).split("\r\n", 2)[0].split(" ");
    io.vertx.core.MultiMap headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(answer.headers());
    contract.check(HttpMethod.valueOf(requestLine[0]), requestLine[1], answer.status(), headers, Buffer.buffer(answer.body()));
    return answer;
  }

  private static RawAnswer rawExchangeUnchecked(byte[] request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", app.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
          if (complete(out.toString(StandardCharsets.ISO_8859_1))) {
            break;
          }
        }
      } catch (java.net.SocketException | java.net.SocketTimeoutException e) {
        // the server closed or reset after answering: what was read is the answer
      }
      String text = out.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      assertThat(end).as("an HTTP answer, got: %s", abbreviate(text)).isPositive();
      String[] lines = text.substring(0, end).split("\r\n");
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
      }
      String body = text.substring(end + 4);
      if (headers.containsKey("Content-Length")) {
        body = body.substring(0, Math.min(body.length(), Integer.parseInt(headers.get("Content-Length"))));
      }
      return new RawAnswer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }
  }

  private static boolean complete(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(text.substring(0, end));
    return length.find() && text.length() - end - 4 >= Integer.parseInt(length.group(1));
  }

  static Stream<Arguments> rawRequests() {
    String event = "/api/v1/events/" + open;
    String reserve = event + "/reservations";
    return Stream.of(
        Arguments.of("HTTP/1.1 without Host", "GET " + event + " HTTP/1.1\r\nConnection: close\r\n\r\n", 400, "bad_request"),
        Arguments.of("HTTP/9.9", "GET " + event + " HTTP/9.9\r\nHost: onsale\r\n\r\n", 505, "http_version_not_supported"),
        Arguments.of("the HTTP/2 preface on the HTTP/1 port", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "http_version_not_supported"),
        Arguments.of("a chunk size that is no number", "POST " + reserve + " HTTP/1.1\r\nHost: onsale\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n", 400, "bad_request"),
        Arguments.of("a body over the limit", "POST " + reserve + " HTTP/1.1\r\nHost: onsale\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: 70000\r\n\r\n" + "{".repeat(70_000), 413, "body_too_large"),
        Arguments.of("PUT on a GET path", "PUT " + event + " HTTP/1.1\r\nHost: onsale\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", 405, "method_not_allowed"),
        Arguments.of("TRACE on a GET path", "TRACE " + event + " HTTP/1.1\r\nHost: onsale\r\nConnection: close\r\n\r\n",
            405, "method_not_allowed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rawRequests")
  @DisplayName("a request the HTTP layer refuses gets its status as JSON with the security headers, and changes nothing")
  void hostileHttp(String name, String request, int status, String error) throws Exception {
    RawAnswer answer = rawExchange(request.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(answer.status()).as("%s: %s", name, abbreviate(answer.body())).isEqualTo(status);
    assertThat(answer.headers().get("Content-Type")).as(name).startsWith("application/json");
    assertThat(answer.json().getString("error")).as(name).isEqualTo(error);
    assertThat(answer.json().getString("message")).as(name).isNotBlank();
    assertThat(answer.headers().get("Content-Security-Policy")).as(name).contains("frame-ancestors 'none'");
    assertThat(answer.headers().get("X-Content-Type-Options")).as(name).isEqualTo("nosniff");
    assertThat(answer.headers().get("X-Frame-Options")).as(name).isEqualTo("DENY");
    if (status == 405) {
      assertThat(answer.headers().get("Allow")).as(name).contains("GET");
    }
    assertThat(dbSnapshot()).as("the database is unchanged").isEqualTo(dbBefore);
  }

  // ---------------------------------------------------------------- strict bodies, text, keys, webhooks

  record BodyCase(String name, HttpMethod method, String path, Buffer body, Map<String, String> headers, int status, String error) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> strictCases() {
    Map<String, String> json = Map.of("Content-Type", "application/json");
    Map<String, String> admin = Map.of("Content-Type", "application/json", "Authorization", "Bearer " + config.adminToken());
    String order = "/api/v1/reservations/" + reservationId + "/order";
    String reserve = "/api/v1/events/" + open + "/reservations";
    String patch = "/api/v1/admin/events/" + open;
    String hooks = "/api/v1/admin/events/" + open + "/webhooks";
    Buffer goodOrder = buyer("Bob", "bob@example.org").toBuffer();
    List<BodyCase> cases = new ArrayList<>();
    cases.add(new BodyCase("JSON with a comment", HttpMethod.POST, order,
        Buffer.buffer("{\"buyer\": /* who */ {\"name\": \"Bob\", \"email\": \"bob@example.org\"}}"), json, 400, "malformed_json"));
    cases.add(new BodyCase("JSON with a line comment", HttpMethod.POST, reserve,
        Buffer.buffer("// items\n" + items(openCategory, 1).encode()), json, 400, "malformed_json"));
    cases.add(new BodyCase("a UTF-16 body", HttpMethod.POST, order,
        Buffer.buffer(goodOrder.toString().getBytes(StandardCharsets.UTF_16LE)), json, 400, "malformed_json"));
    cases.add(new BodyCase("a UTF-16 body that says so", HttpMethod.POST, order,
        Buffer.buffer(goodOrder.toString().getBytes(StandardCharsets.UTF_16)), Map.of("Content-Type", "application/json; charset=utf-16"),
        415, "unsupported_media_type"));
    cases.add(new BodyCase("a UTF-8 byte order mark", HttpMethod.POST, order,
        Buffer.buffer(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}).appendBuffer(goodOrder), json, 400, "malformed_json"));
    cases.add(new BodyCase("a duplicate field", HttpMethod.POST, reserve,
        Buffer.buffer("{\"items\": [], \"items\": [{\"categoryId\": " + openCategory + ", \"quantity\": 1}]}"), json, 400, "malformed_json"));
    cases.add(new BodyCase("JSON sent as text/plain", HttpMethod.POST, order, goodOrder, Map.of("Content-Type", "text/plain"),
        415, "unsupported_media_type"));
    cases.add(new BodyCase("a form body", HttpMethod.POST, order, Buffer.buffer("buyer%5Bname%5D=Bob&buyer%5Bemail%5D=bob%40example.org"),
        Map.of("Content-Type", "application/x-www-form-urlencoded"), 415, "unsupported_media_type"));
    cases.add(new BodyCase("a multipart body", HttpMethod.POST, reserve, Buffer.buffer("--x\r\n\r\n{}\r\n--x--\r\n"),
        Map.of("Content-Type", "multipart/form-data; boundary=x"), 415, "unsupported_media_type"));
    cases.add(new BodyCase("JSON without a Content-Type", HttpMethod.POST, order, goodOrder, Map.of(), 415, "unsupported_media_type"));
    cases.add(new BodyCase("an organizer's JSON without a Content-Type", HttpMethod.PATCH, patch,
        new JsonObject().put("paused", true).toBuffer(), Map.of("Authorization", "Bearer " + config.adminToken()), 415, "unsupported_media_type"));
    cases.add(new BodyCase("a null buyer name", HttpMethod.POST, order, buyer(null, "bob@example.org").toBuffer(), json, 400, "invalid_field"));
    cases.add(new BodyCase("a null optional field (venue)", HttpMethod.PATCH, patch, new JsonObject().putNull("venue").toBuffer(),
        admin, 400, "invalid_field"));
    cases.add(new BodyCase("a null optional number (holdSeconds)", HttpMethod.PATCH, patch, new JsonObject().putNull("holdSeconds").toBuffer(),
        admin, 400, "invalid_field"));
    cases.add(new BodyCase("a null paused flag", HttpMethod.PATCH, patch, new JsonObject().putNull("paused").toBuffer(), admin, 400, "invalid_field"));
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("a bare LF", "Bob\nBcc: all@example.org");
    texts.put("a bare CR", "Bob\rEvil");
    texts.put("a trailing CRLF", "Bob\r\n");
    texts.put("a tab", "Bob\tEvil");
    texts.put("a NUL", "Bob\u0000");
    texts.put("a C1 control (NEL)", "Bob\u0085Evil");
    texts.put("DEL", "Bob\u007f");
    texts.put("a right-to-left override", "Bob \u202Egpj.exe");
    texts.put("a left-to-right embedding", "\u202ABob");
    texts.put("a right-to-left isolate", "Bob\u2067x\u2069");
    texts.forEach((what, text) -> {
      cases.add(new BodyCase("buyer name with " + what, HttpMethod.POST, order, buyer(text, "bob@example.org").toBuffer(), json, 400, "invalid_field"));
      cases.add(new BodyCase("event name with " + what, HttpMethod.PATCH, patch, new JsonObject().put("name", text).toBuffer(), admin, 400, "invalid_field"));
      cases.add(new BodyCase("venue with " + what, HttpMethod.PATCH, patch, new JsonObject().put("venue", text).toBuffer(), admin, 400, "invalid_field"));
    });
    cases.add(new BodyCase("an e-mail with a trailing LF", HttpMethod.POST, order, buyer("Bob", "bob@example.org\n").toBuffer(), json, 400, "invalid_field"));
    cases.add(new BodyCase("an Idempotency-Key reused with another body", HttpMethod.POST, reserve, items(openCategory, 2).toBuffer(),
        Map.of("Content-Type", "application/json", "Idempotency-Key", IDEMPOTENCY_KEY), 422, "idempotency_key_reused"));
    cases.add(new BodyCase("an Idempotency-Key reused with the same items spelled differently", HttpMethod.POST, reserve,
        Buffer.buffer(" " + items(openCategory, 1).encode()), Map.of("Content-Type", "application/json", "Idempotency-Key", IDEMPOTENCY_KEY),
        422, "idempotency_key_reused"));
    for (String url : List.of("http://127.0.0.1:" + app.port() + "/api/v1/admin/invariants", "http://localhost/hook", "http://[::1]/hook",
        "http://10.1.2.3/hook", "http://172.16.0.1/hook", "http://192.168.1.1/hook", "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/hook", "http://100.64.0.1/hook", "http://[fd00::1]/hook", "http://[::ffff:127.0.0.1]/hook", "https://127.1/hook")) {
      cases.add(new BodyCase("a webhook to " + url, HttpMethod.POST, hooks, new JsonObject().put("url", url).toBuffer(), admin, 400, "invalid_field"));
    }
    return cases.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strictCases")
  @DisplayName("a body that is not strict JSON, a null, a control character, a reused key or an internal webhook is refused and changes nothing")
  void strictInput(BodyCase c) {
    Answer answer = http.raw(c.method(), c.path(), c.body(), c.headers());
    String shown = answer.raw() == null ? "" : abbreviate(answer.raw().toString(StandardCharsets.UTF_8));
    assertThat(answer.status()).as("%s answered %s", c, shown).isEqualTo(c.status());
    assertThat(answer.headers().get("Content-Type")).as(c.name()).startsWith("application/json");
    assertThat(answer.json().getString("error")).as("%s: %s", c, shown).isEqualTo(c.error());
    assertThat(answer.json().getString("message")).isNotBlank();
    assertThat(answer.headers().get("Content-Security-Policy")).as(c.name()).contains("frame-ancestors 'none'");
    assertThat(dbSnapshot()).as("the database is unchanged").isEqualTo(dbBefore);
    assertThat(redisSnapshot()).as("Redis is unchanged").isEqualTo(redisBefore);
  }

  @Test
  @DisplayName("the same Idempotency-Key with the same body gets the first answer again and changes nothing")
  void idempotencyKeyReplays() {
    Answer again = http.post("/api/v1/events/" + open + "/reservations", items(openCategory, 1), Map.of("Idempotency-Key", IDEMPOTENCY_KEY));
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().getString("id")).isEqualTo(keyedReservationId);
    assertThat(again.headers().get("Idempotent-Replayed")).isEqualTo("true");
    assertThat(dbSnapshot()).as("the database is unchanged").isEqualTo(dbBefore);
  }
}
