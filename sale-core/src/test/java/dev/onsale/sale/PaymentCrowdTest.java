package dev.onsale.sale;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestHttp.Answer;
import dev.onsale.sale.payment.PaymentService;
import dev.onsale.sale.payment.Payments;
import dev.onsale.sale.payment.ProviderPayment;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * 1,000 buyers for 300 paid tickets: most pay in their window, some decline and retry, some pay in
 * two tabs, some walk away, some pay late while tickets are free again and some after those were
 * sold. Then every payment invariant of the invariant checker holds, before and after the refunds.
 */
class PaymentCrowdTest {

  static final int BUYERS = 1000;
  static final int TICKETS = 300;
  static final int SESSIONS_PER_SECOND = 100;
  static int turnedAway;

  static SaleServer server;
  static PaymentService payments;

  @BeforeAll
  static void start() {
    server = SaleServer.start(Map.of("ONSALE_MAX_PENDING_TICKETS_PER_ADDRESS", "100000",
        "ONSALE_PAYMENT_SESSIONS_PER_SECOND", String.valueOf(SESSIONS_PER_SECOND)));
    payments = Payments.service(server.services);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static <T> List<T> all(List<Future<T>> futures) {
    await(Future.join(futures));
    return futures.stream().map(Future::result).toList();
  }

  private static List<JsonObject> reserveAndOrder(long eventId, long categoryId, int buyers) {
    List<Future<Answer>> holds = new ArrayList<>();
    for (int i = 0; i < buyers; i++) {
      holds.add(server.http.sendJson(HttpMethod.POST, "/api/v1/events/" + eventId + "/reservations",
          TestEvents.items(categoryId, 1), Map.of()));
    }
    List<Future<Answer>> orders = new ArrayList<>();
    for (Answer hold : all(holds)) {
      assertThat(hold.status()).isIn(201, 409);
      if (hold.status() == 201) {
        orders.add(server.http.sendJson(HttpMethod.POST, Holds.orderPath(hold.json()),
            TestEvents.buyer("Buyer " + UUID.randomUUID().toString().substring(0, 6)), Map.of()));
      }
    }
    return all(orders).stream().peek(a -> assertThat(a.status()).isEqualTo(201)).map(Answer::json).toList();
  }

  private static UUID paymentId(JsonObject order) {
    return UUID.fromString(order.getJsonObject("payment").getString("id"));
  }

  private static Future<Answer> decide(UUID paymentId, boolean pay) {
    return server.http.sendJson(HttpMethod.POST, "/api/v1/payments/test/" + paymentId + (pay ? "/succeed" : "/fail"),
        new JsonObject(), Map.of());
  }

  /**
   * Every buyer opens payment.url at once; past the deployment's session rate the page answers 503
   * with Retry-After and tries again, as the real page does.
   */
  private static void open(List<JsonObject> orders) {
    List<JsonObject> waiting = orders;
    while (!waiting.isEmpty()) {
      List<Answer> answers = all(waiting.stream()
          .map(o -> server.http.send(HttpMethod.GET, PaymentService.payUrl(paymentId(o)), null, Map.of())).toList());
      List<JsonObject> again = new ArrayList<>();
      for (int i = 0; i < answers.size(); i++) {
        if (answers.get(i).status() == 503) {
          assertThat(answers.get(i).headers().get("Retry-After")).isEqualTo("1");
          again.add(waiting.get(i));
        } else {
          assertThat(answers.get(i).status()).isEqualTo(200);
        }
      }
      turnedAway += again.size();
      waiting = again;
      if (!waiting.isEmpty()) {
        sleep(1000);
      }
    }
  }

  private static void useUpSessionRate(int seconds) {
    long now = System.currentTimeMillis() / 1000;
    for (long second = now; second < now + seconds; second++) {
      await(server.services.redis().send(Request.cmd(Command.SET)
          .arg(server.services.keys().paymentSessionRate(second)).arg(SESSIONS_PER_SECOND).arg("EX").arg(seconds + 2)));
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static <T> List<Future<T>> each(List<JsonObject> orders, Function<JsonObject, Future<T>> action) {
    return orders.stream().map(action).toList();
  }

  private static long count(String sql, Object... params) {
    return server.sql(sql, params).iterator().next().getLong(0);
  }

  private static void assertInvariants(String when) {
    JsonObject report = server.http.get("/api/v1/admin/invariants", server.admin()).json();
    assertThat(report.getBoolean("ok")).as(when + ": " + report.encodePrettily()).isTrue();
  }

  @Test
  @DisplayName("1,000 buyers, 300 paid tickets, every kind of payer: nothing sold twice, every charge matched")
  void crowdOfPayers() {
    JsonObject event = server.createEvent(TestEvents.onSale("pay-crowd", TICKETS).put("maxTicketsPerOrder", 1));
    long eventId = event.getLong("id");
    long categoryId = event.getJsonArray("categories").getJsonObject(0).getLong("id");

    List<JsonObject> orders = reserveAndOrder(eventId, categoryId, BUYERS);
    assertThat(orders).hasSize(TICKETS);
    // Other instances used up the next seconds' sessions (the count is deployment-wide), so the
    // crowd meets the rate however fast this machine serves it.
    useUpSessionRate(5);
    open(orders);
    assertThat(turnedAway).as("300 buyers opening checkout at once meet the session rate").isPositive();
    assertThat(orders.stream().filter(o -> await(payments.provider().fetch(o.getJsonObject("payment").getString("id")))
        .outcome() == ProviderPayment.Outcome.OPEN).count()).as("every order's session open at the provider").isEqualTo(TICKETS);
    List<JsonObject> inTime = orders.subList(0, 150);
    List<JsonObject> declineThenPay = orders.subList(150, 180);
    List<JsonObject> twoTabs = orders.subList(180, 210);
    List<JsonObject> walkAway = orders.subList(210, 260);
    List<JsonObject> late = orders.subList(260, 300);

    all(each(inTime, o -> decide(paymentId(o), true))).forEach(a -> assertThat(a.status()).isEqualTo(200));
    all(each(declineThenPay, o -> decide(paymentId(o), false)));
    List<Answer> retries = all(each(declineThenPay, o -> server.http.sendJson(HttpMethod.POST,
        "/api/v1/orders/" + o.getString("code") + "/payment?secret=" + o.getString("secret"), new JsonObject(), Map.of())));
    List<JsonObject> attempts = new ArrayList<>();
    for (Answer retry : retries) {
      assertThat(retry.status()).isEqualTo(201);
      attempts.add(new JsonObject().put("payment", retry.json()));
    }
    open(attempts);
    all(each(attempts, o -> decide(paymentId(o), true))).forEach(a -> assertThat(a.status()).isEqualTo(200));
    List<Future<Answer>> tabs = new ArrayList<>(each(twoTabs, o -> decide(paymentId(o), true)));
    tabs.addAll(each(twoTabs, o -> decide(paymentId(o), true)));
    List<Answer> tabAnswers = all(tabs);
    assertThat(tabAnswers.stream().filter(a -> a.status() == 200)).hasSize(twoTabs.size());
    assertThat(tabAnswers.stream().filter(a -> a.status() == 409)).hasSize(twoTabs.size());

    // The windows of those who walked away or are still paying end, and their grace with them.
    walkAway.forEach(o -> server.endPaymentWindow(o.getString("code"), false));
    late.forEach(o -> server.endPaymentWindow(o.getString("code"), false));
    assertThat(server.stats(eventId).getLong("available")).isEqualTo(walkAway.size() + late.size());
    // Reconciliation, as the payments worker runs it for every ended window.
    for (JsonObject o : walkAway) {
      assertThat(await(payments.reconcile(paymentId(o))).result()).isEqualTo("expired");
    }

    // Buyers who had found the sale sold out buy 70 of the 90 tickets that came back.
    List<JsonObject> second = reserveAndOrder(eventId, categoryId, 70);
    assertThat(second).hasSize(70);
    open(second);
    all(each(second, o -> decide(paymentId(o), true))).forEach(a -> assertThat(a.status()).isEqualTo(200));

    // The late payers' banks finally confirm: 20 tickets are still free for 40 of them.
    List<String> lateResults = new ArrayList<>();
    for (Answer answer : all(each(late, o -> decide(paymentId(o), true)))) {
      lateResults.add(answer.json().getString("result"));
    }
    assertThat(lateResults.stream().filter("late_completed"::equals)).hasSize(20);
    assertThat(lateResults.stream().filter("late_refunded"::equals)).hasSize(20);

    JsonObject stats = server.stats(eventId);
    assertThat(stats.getLong("sold")).isEqualTo(TICKETS);
    assertThat(stats.getLong("available") + stats.getLong("held") + stats.getLong("pending")).isZero();
    assertThat(stats.getLong("orders")).isEqualTo(150 + 30 + 30 + 70 + 20);
    assertThat(count("SELECT count(*) FROM order_tickets WHERE active")).isEqualTo(TICKETS);
    assertThat(count("SELECT count(*) FROM payments WHERE status = 'refund_pending'")).isEqualTo(20);
    assertInvariants("before the refunds");

    for (Row row : server.sql("SELECT id FROM payments WHERE status = 'refund_pending'")) {
      assertThat(await(payments.refund(row.getUUID("id")))).isEqualTo("refunded");
    }
    assertThat(count("SELECT count(*) FROM orders WHERE status = 'refunded'")).isEqualTo(20);
    assertInvariants("after the refunds");
  }
}
