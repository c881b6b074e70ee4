package dev.onsale.sale.payment;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local double of the few Stripe API endpoints Onsale calls, shaped after Stripe's published API,
 * for {@code stripe-java} pointed at it through {@code ONSALE_STRIPE_API_BASE}:
 *
 * <ul>
 *   <li>{@code POST /v1/checkout/sessions} (form-encoded as the SDK sends it, {@code line_items[0][price_data][...]})</li>
 *   <li>{@code GET /v1/checkout/sessions/{id}} and {@code POST /v1/checkout/sessions/{id}/expire}</li>
 *   <li>{@code POST /v1/refunds} and {@code GET /v1/refunds?payment_intent=}</li>
 * </ul>
 *
 * <p>Like Stripe, it wants {@code Authorization: Bearer <secret key>}, honors {@code Idempotency-Key} on
 * POSTs (the same key and parameters replay the first answer with {@code Idempotent-Replayed: true};
 * the same key with other parameters is {@code 400 idempotency_error}) and answers errors as
 * {@code {"error":{"type","code","message"}}}.
 *
 * <p>Test controls: act as the customer ({@link #pay}, {@link #completeUnpaid}, {@link #asyncSucceeded},
 * {@link #asyncFailed}, {@link #expireNow}); inject faults ({@link #failNext}, {@link #loseNextAnswers},
 * {@link #delayNext}); count requests per endpoint ({@link #count}, {@link #requests}); and build signed
 * webhook events ({@link #event}) to post to Onsale's {@code POST /api/v1/payments/stripe/webhook}.
 *
 * <p>Only the JDK's HTTP server and Vert.x's {@code JsonObject} (Jackson): usable from any module's
 * tests. Start it with {@link #start()}, hand {@link #settings()} to the configuration, close it after.
 */
public final class StripeDouble implements AutoCloseable {

  public static final String SECRET_KEY = "sk_test_onsale_double_0123456789";
  public static final String WEBHOOK_SECRET = "whsec_onsale_double_0123456789";

  public static final String CREATE_SESSION = "POST /v1/checkout/sessions";
  public static final String GET_SESSION = "GET /v1/checkout/sessions/{id}";
  public static final String EXPIRE_SESSION = "POST /v1/checkout/sessions/{id}/expire";
  public static final String CREATE_REFUND = "POST /v1/refunds";
  public static final String LIST_REFUNDS = "GET /v1/refunds";

  private static final Pattern SESSION_PATH = Pattern.compile("/v1/checkout/sessions/([A-Za-z0-9_]+)");
  private static final Pattern EXPIRE_PATH = Pattern.compile("/v1/checkout/sessions/([A-Za-z0-9_]+)/expire");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  /** One request as the double saw it. */
  public record Recorded(
      String endpoint, String method, String path, String idempotencyKey, String stripeVersion,
      Map<String, String> params, int status) {}

  /** A webhook event, its raw body and the {@code Stripe-Signature} header that signs it. */
  public record SignedEvent(String id, String type, String payload, String signature) {
    /** The headers Stripe sends with it. */
    public Map<String, String> headers() {
      return Map.of("Stripe-Signature", signature, "Content-Type", "application/json; charset=utf-8");
    }
  }

  private record Answer(int status, String body, boolean replayed) {}

  private record Stored(String fingerprint, Answer answer) {}

  private record Fault(String endpoint, int status, long delayMs, boolean afterWork) {}

  private final HttpServer server;
  private final ExecutorService threads;
  private final String secretKey;
  private final String webhookSecret;
  private final Object lock = new Object();
  private final Map<String, JsonObject> sessions = new LinkedHashMap<>();
  private final Map<String, JsonObject> refunds = new LinkedHashMap<>();
  private final Map<String, JsonArray> lineItemsBySession = new HashMap<>();
  private final Map<String, Stored> idempotency = new HashMap<>();
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final List<Recorded> recorded = new ArrayList<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  private StripeDouble(String secretKey, String webhookSecret) throws IOException {
    this.secretKey = secretKey;
    this.webhookSecret = webhookSecret;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "stripe-double-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A double on 127.0.0.1 and a free port, with {@link #SECRET_KEY} and {@link #WEBHOOK_SECRET}. */
  public static StripeDouble start() {
    return start(SECRET_KEY, WEBHOOK_SECRET);
  }

  public static StripeDouble start(String secretKey, String webhookSecret) {
    try {
      return new StripeDouble(secretKey, webhookSecret);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Stripe double", e);
    }
  }

  /** Where the SDK should send its calls: {@code http://127.0.0.1:<port>}. */
  public String apiBase() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public String secretKey() {
    return secretKey;
  }

  public String webhookSecret() {
    return webhookSecret;
  }

  /** The settings that point Onsale's Stripe provider here: merge them into the test configuration. */
  public Map<String, String> settings() {
    return Map.of(
        "ONSALE_PAYMENT_PROVIDER", "stripe",
        "ONSALE_STRIPE_SECRET_KEY", secretKey,
        "ONSALE_STRIPE_WEBHOOK_SECRET", webhookSecret,
        "ONSALE_STRIPE_API_BASE", apiBase());
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  // --- the customer, and Stripe's own clock ---

  /** The session as Stripe would answer it now. */
  public JsonObject session(String sessionId) {
    synchronized (lock) {
      return require(sessionId).copy();
    }
  }

  /** The session whose {@code client_reference_id} is this payment's id, if one was created. */
  public Optional<JsonObject> sessionOf(UUID paymentId) {
    synchronized (lock) {
      return sessions.values().stream()
          .filter(s -> paymentId.toString().equals(s.getString("client_reference_id")))
          .findFirst()
          .map(JsonObject::copy);
    }
  }

  public List<JsonObject> sessions() {
    synchronized (lock) {
      return sessions.values().stream().map(JsonObject::copy).toList();
    }
  }

  /** The customer pays by card: {@code status=complete}, {@code payment_status=paid}. */
  public JsonObject pay(String sessionId) {
    return complete(sessionId, "paid");
  }

  /** The customer completes with an asynchronous method: {@code complete} but {@code unpaid}, money not there yet. */
  public JsonObject completeUnpaid(String sessionId) {
    return complete(sessionId, "unpaid");
  }

  /** The asynchronous payment arrived ({@code checkout.session.async_payment_succeeded}). */
  public JsonObject asyncSucceeded(String sessionId) {
    synchronized (lock) {
      JsonObject session = require(sessionId);
      requireStatus(session, "complete");
      session.put("payment_status", "paid");
      return session.copy();
    }
  }

  /** The asynchronous payment failed ({@code checkout.session.async_payment_failed}): the session stays complete and unpaid. */
  public JsonObject asyncFailed(String sessionId) {
    synchronized (lock) {
      JsonObject session = require(sessionId);
      requireStatus(session, "complete");
      session.put("payment_status", "unpaid");
      return session.copy();
    }
  }

  /** Stripe expires the session by itself (its {@code expires_at} passed). */
  public JsonObject expireNow(String sessionId) {
    synchronized (lock) {
      JsonObject session = require(sessionId);
      requireStatus(session, "open");
      session.put("status", "expired");
      return session.copy();
    }
  }

  /** The refunds made of a payment intent, oldest first. */
  public List<JsonObject> refundsOf(String paymentIntent) {
    synchronized (lock) {
      return refunds.values().stream()
          .filter(r -> paymentIntent.equals(r.getString("payment_intent")))
          .map(JsonObject::copy)
          .toList();
    }
  }

  private JsonObject complete(String sessionId, String paymentStatus) {
    synchronized (lock) {
      JsonObject session = require(sessionId);
      requireStatus(session, "open");
      session.put("status", "complete").put("payment_status", paymentStatus);
      session.put("payment_intent", "pi_" + random(24));
      return session.copy();
    }
  }

  private JsonObject require(String sessionId) {
    JsonObject session = sessions.get(sessionId);
    if (session == null) {
      throw new IllegalArgumentException("no such session " + sessionId);
    }
    return session;
  }

  private static void requireStatus(JsonObject session, String status) {
    if (!status.equals(session.getString("status"))) {
      throw new IllegalStateException("session " + session.getString("id") + " is " + session.getString("status")
          + ", not " + status);
    }
  }

  // --- faults ---

  /**
   * The next {@code n} requests answer {@code status} (429 or 5xx) with Stripe's error body, before
   * doing anything (as Stripe's rate limiter or front door would): nothing is created, no idempotent
   * answer is kept.
   */
  public StripeDouble failNext(int n, int status) {
    return failNext(null, n, status);
  }

  /** As {@link #failNext(int, int)}, for requests to one endpoint only (e.g. {@link #CREATE_SESSION}). */
  public StripeDouble failNext(String endpoint, int n, int status) {
    synchronized (lock) {
      for (int i = 0; i < n; i++) {
        faults.add(new Fault(endpoint, status, 0, false));
      }
    }
    return this;
  }

  /**
   * The next {@code n} requests (to {@code endpoint}, or any if null) do their work, and keep its
   * idempotent answer, but the caller gets a 500: the answer was lost on the way.
   */
  public StripeDouble loseNextAnswers(String endpoint, int n) {
    synchronized (lock) {
      for (int i = 0; i < n; i++) {
        faults.add(new Fault(endpoint, 500, 0, true));
      }
    }
    return this;
  }

  /** The next {@code n} requests (to {@code endpoint}, or any if null) wait {@code delayMs} before their (real) answer. */
  public StripeDouble delayNext(String endpoint, int n, long delayMs) {
    synchronized (lock) {
      for (int i = 0; i < n; i++) {
        faults.add(new Fault(endpoint, 0, delayMs, false));
      }
    }
    return this;
  }

  // --- what it saw ---

  /** How many requests reached an endpoint ({@link #CREATE_SESSION}, {@link #GET_SESSION}, …), faults included. */
  public int count(String endpoint) {
    AtomicInteger count = counts.get(endpoint);
    return count == null ? 0 : count.get();
  }

  public List<Recorded> requests() {
    synchronized (lock) {
      return List.copyOf(recorded);
    }
  }

  public List<Recorded> requests(String endpoint) {
    return requests().stream().filter(r -> r.endpoint().equals(endpoint)).toList();
  }

  // --- webhooks ---

  /** An event of {@code type} carrying the session as it is now, in the SDK's pinned API version, signed now. */
  public SignedEvent event(String type, String sessionId) {
    return event(type, sessionId, com.stripe.Stripe.API_VERSION, Instant.now().getEpochSecond());
  }

  /** An event of another API version, or signed at another moment (seconds since the epoch). */
  public SignedEvent event(String type, String sessionId, String apiVersion, long signedAt) {
    String id = "evt_" + random(24);
    JsonObject event = new JsonObject()
        .put("id", id)
        .put("object", "event")
        .put("api_version", apiVersion)
        .put("created", Instant.now().getEpochSecond())
        .put("data", new JsonObject().put("object", session(sessionId)))
        .put("livemode", false)
        .put("pending_webhooks", 1)
        .put("request", new JsonObject().putNull("id").putNull("idempotency_key"))
        .put("type", type);
    String payload = event.encodePrettily();
    return new SignedEvent(id, type, payload, sign(payload, signedAt));
  }

  /** Any payload signed with this double's webhook secret: {@code t=<ts>,v1=<hex HMAC-SHA256>}. */
  public String sign(String payload, long signedAt) {
    return sign(payload, signedAt, webhookSecret);
  }

  /** Stripe's signature scheme with a secret of your choosing (a forged one, say). */
  public static String sign(String payload, long signedAt, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((signedAt + "." + payload).getBytes(StandardCharsets.UTF_8));
      return "t=" + signedAt + ",v1=" + HexFormat.of().formatHex(digest);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // --- the HTTP side ---

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      String endpoint = endpointOf(method, path);
      Map<String, String> params = new TreeMap<>(parseForm(exchange.getRequestURI().getRawQuery()));
      if ("POST".equals(method)) {
        try (InputStream in = exchange.getRequestBody()) {
          params.putAll(parseForm(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
      }
      String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
      counts.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();

      Fault fault = takeFault(endpoint);
      if (fault != null && fault.delayMs() > 0) {
        sleep(fault.delayMs());
      }
      Answer answer;
      if (!("Bearer " + secretKey).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        answer = error(401, "invalid_request_error", null, "Invalid API Key provided", null);
      } else if (fault != null && fault.status() > 0 && !fault.afterWork()) {
        answer = injected(fault.status());
      } else {
        synchronized (lock) {
          answer = idempotent(method, path, key, params, () -> routeSafely(endpoint, method, path, params));
        }
        if (fault != null && fault.afterWork()) {
          answer = injected(fault.status());
        }
      }
      synchronized (lock) {
        recorded.add(new Recorded(endpoint, method, path, key,
            exchange.getRequestHeaders().getFirst("Stripe-Version"), Map.copyOf(params), answer.status()));
      }
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("Request-Id", "req_" + random(14));
      if (answer.replayed()) {
        exchange.getResponseHeaders().set("Idempotent-Replayed", "true");
      }
      if (key != null) {
        exchange.getResponseHeaders().set("Idempotency-Key", key);
      }
      exchange.sendResponseHeaders(answer.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private Answer idempotent(
      String method, String path, String key, Map<String, String> params, java.util.function.Supplier<Answer> work) {
    if (key == null || !"POST".equals(method)) {
      return work.get();
    }
    String fingerprint = method + " " + path + " " + params;
    Stored stored = idempotency.get(key);
    if (stored != null) {
      if (!stored.fingerprint().equals(fingerprint)) {
        return error(400, "idempotency_error", null,
            "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                + "Try using a key other than '" + key + "' if you meant to execute a different request.", null);
      }
      return new Answer(stored.answer().status(), stored.answer().body(), true);
    }
    Answer answer = work.get();
    idempotency.put(key, new Stored(fingerprint, answer));
    return answer;
  }

  private Fault takeFault(String endpoint) {
    synchronized (lock) {
      for (var it = faults.iterator(); it.hasNext(); ) {
        Fault fault = it.next();
        if (fault.endpoint() == null || fault.endpoint().equals(endpoint)) {
          it.remove();
          return fault;
        }
      }
      return null;
    }
  }

  private static String endpointOf(String method, String path) {
    if (EXPIRE_PATH.matcher(path).matches()) {
      return method + " /v1/checkout/sessions/{id}/expire";
    }
    if (SESSION_PATH.matcher(path).matches()) {
      return method + " /v1/checkout/sessions/{id}";
    }
    return method + " " + path;
  }

  private Answer routeSafely(String endpoint, String method, String path, Map<String, String> params) {
    try {
      return route(endpoint, method, path, params);
    } catch (RuntimeException e) {
      // A bad value the double did not foresee: answer as Stripe would answer a bug of its own.
      return error(500, "api_error", null, "The Stripe double failed: " + e, null);
    }
  }

  private Answer route(String endpoint, String method, String path, Map<String, String> params) {
    switch (endpoint) {
      case CREATE_SESSION:
        return createSession(params);
      case GET_SESSION: {
        Matcher m = SESSION_PATH.matcher(path);
        m.matches();
        JsonObject session = sessions.get(m.group(1));
        return session == null ? noSuch("checkout.session", m.group(1), "session") : ok(session);
      }
      case EXPIRE_SESSION: {
        Matcher m = EXPIRE_PATH.matcher(path);
        m.matches();
        return expireSession(m.group(1));
      }
      case CREATE_REFUND:
        return createRefund(params);
      case LIST_REFUNDS:
        return listRefunds(params);
      default:
        return error(404, "invalid_request_error", null,
            "Unrecognized request URL (" + method + ": " + path + ").", null);
    }
  }

  private Answer createSession(Map<String, String> params) {
    for (String required : List.of("mode", "success_url")) {
      if (!params.containsKey(required)) {
        return missing(required);
      }
    }
    JsonArray lineItems = new JsonArray();
    String currency = null;
    long total = 0;
    for (int i = 0; params.containsKey("line_items[" + i + "][quantity]"); i++) {
      String prefix = "line_items[" + i + "]";
      String lineCurrency = params.get(prefix + "[price_data][currency]");
      String unitAmount = params.get(prefix + "[price_data][unit_amount]");
      String name = params.get(prefix + "[price_data][product_data][name]");
      if (lineCurrency == null) {
        return missing(prefix + "[price_data][currency]");
      }
      if (unitAmount == null) {
        return missing(prefix + "[price_data][unit_amount]");
      }
      if (name == null) {
        return missing(prefix + "[price_data][product_data][name]");
      }
      if (currency != null && !currency.equals(lineCurrency)) {
        return error(400, "invalid_request_error", "parameter_invalid_string",
            "All line items must have the same currency.", prefix + "[price_data][currency]");
      }
      currency = lineCurrency;
      long quantity;
      long unit;
      try {
        quantity = Long.parseLong(params.get(prefix + "[quantity]"));
        unit = Long.parseLong(unitAmount);
      } catch (NumberFormatException e) {
        return error(400, "invalid_request_error", "parameter_invalid_integer", "Invalid integer", prefix);
      }
      total += quantity * unit;
      lineItems.add(new JsonObject()
          .put("quantity", quantity)
          .put("currency", lineCurrency)
          .put("unit_amount", unit)
          .put("description", name));
    }
    if (lineItems.isEmpty()) {
      return error(400, "invalid_request_error", "parameter_missing",
          "You must specify `line_items` in `payment` mode.", "line_items");
    }
    String id = "cs_test_" + random(58);
    long now = Instant.now().getEpochSecond();
    JsonObject metadata = new JsonObject();
    params.forEach((k, v) -> {
      if (k.startsWith("metadata[") && k.endsWith("]")) {
        metadata.put(k.substring("metadata[".length(), k.length() - 1), v);
      }
    });
    JsonArray methods = new JsonArray();
    for (int i = 0; params.containsKey("payment_method_types[" + i + "]"); i++) {
      methods.add(params.get("payment_method_types[" + i + "]"));
    }
    JsonObject session = new JsonObject()
        .put("id", id)
        .put("object", "checkout.session")
        .put("amount_subtotal", total)
        .put("amount_total", total)
        .put("cancel_url", params.get("cancel_url"))
        .put("client_reference_id", params.get("client_reference_id"))
        .put("created", now)
        .put("currency", currency)
        .put("customer_email", params.get("customer_email"))
        .put("expires_at", params.containsKey("expires_at") ? Long.parseLong(params.get("expires_at")) : now + 86_400)
        .put("livemode", false)
        .put("metadata", metadata)
        .put("mode", params.get("mode"))
        .putNull("payment_intent")
        .put("payment_method_types", methods.isEmpty() ? new JsonArray().add("card") : methods)
        .put("payment_status", "unpaid")
        .put("status", "open")
        .put("success_url", params.get("success_url"))
        .put("url", apiBase() + "/c/pay/" + id);
    sessions.put(id, session);
    lineItemsBySession.put(id, lineItems);
    return ok(session);
  }

  /** The line items a session was created with (Stripe shows them through {@code /line_items}). */
  public JsonArray lineItems(String sessionId) {
    synchronized (lock) {
      return lineItemsBySession.get(sessionId).copy();
    }
  }

  private Answer expireSession(String id) {
    JsonObject session = sessions.get(id);
    if (session == null) {
      return noSuch("checkout.session", id, "session");
    }
    if (!"open".equals(session.getString("status"))) {
      return error(400, "invalid_request_error", null,
          "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \""
              + session.getString("status") + "\".", null);
    }
    session.put("status", "expired");
    return ok(session);
  }

  private Answer createRefund(Map<String, String> params) {
    String paymentIntent = params.get("payment_intent");
    if (paymentIntent == null) {
      return missing("payment_intent");
    }
    JsonObject session = sessions.values().stream()
        .filter(s -> paymentIntent.equals(s.getString("payment_intent")))
        .findFirst()
        .orElse(null);
    if (session == null) {
      return noSuch("payment_intent", paymentIntent, "payment_intent");
    }
    String charge = "ch_" + paymentIntent.substring(3);
    if (!"paid".equals(session.getString("payment_status"))) {
      return error(400, "invalid_request_error", "charge_not_refundable",
          "This PaymentIntent does not have a successful charge to refund.", "payment_intent");
    }
    long paid = session.getLong("amount_total");
    long refunded = refunds.values().stream()
        .filter(r -> paymentIntent.equals(r.getString("payment_intent")))
        .mapToLong(r -> r.getLong("amount"))
        .sum();
    if (refunded >= paid) {
      return error(400, "invalid_request_error", "charge_already_refunded",
          "Charge " + charge + " has already been refunded.", null);
    }
    long amount = params.containsKey("amount") ? Long.parseLong(params.get("amount")) : paid - refunded;
    if (amount > paid - refunded) {
      return error(400, "invalid_request_error", "amount_too_large",
          "Refund amount (" + amount + ") is greater than unrefunded amount on charge (" + (paid - refunded) + ")",
          "amount");
    }
    JsonObject metadata = new JsonObject();
    params.forEach((k, v) -> {
      if (k.startsWith("metadata[") && k.endsWith("]")) {
        metadata.put(k.substring("metadata[".length(), k.length() - 1), v);
      }
    });
    String id = "re_" + random(24);
    JsonObject refund = new JsonObject()
        .put("id", id)
        .put("object", "refund")
        .put("amount", amount)
        .put("charge", charge)
        .put("created", Instant.now().getEpochSecond())
        .put("currency", session.getString("currency"))
        .put("metadata", metadata)
        .put("payment_intent", paymentIntent)
        .putNull("reason")
        .put("status", "succeeded");
    refunds.put(id, refund);
    return ok(refund);
  }

  private Answer listRefunds(Map<String, String> params) {
    String paymentIntent = params.get("payment_intent");
    int limit = params.containsKey("limit") ? Integer.parseInt(params.get("limit")) : 10;
    List<JsonObject> found = new ArrayList<>(refunds.values().stream()
        .filter(r -> paymentIntent == null || paymentIntent.equals(r.getString("payment_intent")))
        .toList());
    java.util.Collections.reverse(found); // newest first, as Stripe lists
    JsonArray data = new JsonArray();
    found.stream().limit(limit).forEach(data::add);
    return ok(new JsonObject()
        .put("object", "list")
        .put("data", data)
        .put("has_more", found.size() > limit)
        .put("url", "/v1/refunds"));
  }

  // --- answers ---

  private static Answer ok(JsonObject body) {
    return new Answer(200, body.encode(), false);
  }

  private static Answer injected(int status) {
    if (status == 429) {
      return error(429, "invalid_request_error", "rate_limit",
          "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.", null);
    }
    return error(status, "api_error", null,
        "An unknown error occurred with our servers. Please try again later.", null);
  }

  private static Answer missing(String param) {
    return error(400, "invalid_request_error", "parameter_missing", "Missing required param: " + param + ".", param);
  }

  private static Answer noSuch(String object, String id, String param) {
    return error(404, "invalid_request_error", "resource_missing", "No such " + object + ": '" + id + "'", param);
  }

  private static Answer error(int status, String type, String code, String message, String param) {
    JsonObject error = new JsonObject().put("type", type).put("message", message);
    if (code != null) {
      error.put("code", code).put("doc_url", "https://stripe.com/docs/error-codes/" + code.replace('_', '-'));
    }
    if (param != null) {
      error.put("param", param);
    }
    return new Answer(status, new JsonObject().put("error", error).encode(), false);
  }

  private static Map<String, String> parseForm(String form) {
    Map<String, String> params = new LinkedHashMap<>();
    if (form == null || form.isEmpty()) {
      return params;
    }
    for (String pair : form.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(name, value);
    }
    return params;
  }

  private static String random(int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
    }
    return s.toString();
  }

  private static void sleep(long ms) {
    try {
      TimeUnit.MILLISECONDS.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
