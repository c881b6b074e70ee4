package dev.onsale.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The generator's flow, report and integrity check against an in-memory stand-in of the API. */
@org.junit.jupiter.api.Timeout(value = 90, unit = TimeUnit.SECONDS)
class LoadRunTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private int startFake(boolean sellTwice) throws Exception {
    return startFake(new FakeOnsale(vertx, sellTwice));
  }

  private static int startFake(FakeOnsale fake) throws Exception {
    return fake.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static long count(io.vertx.core.json.JsonObject counts, String key) {
    return counts.getLong(key, 0L);
  }

  private static io.vertx.core.json.JsonObject payments(Report report) {
    return report.json().getJsonObject("payments");
  }

  private static Report run(int port, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("--base-url", "http://127.0.0.1:" + port,
        "--admin-token", FakeOnsale.ADMIN, "--quiet"));
    args.addAll(List.of(extra));
    return Bench.parse(args.toArray(String[]::new)).run(new PrintStream(new ByteArrayOutputStream()));
  }

  @Test
  @DisplayName("thirty buyers for twenty tickets: every ticket is ordered once, the others hear sold out")
  void fullSale() throws Exception {
    int port = startFake(false);
    Report report = run(port, "--buyers", "30", "--tickets", "20", "--categories", "2", "--poll-min-ms", "20",
        "--poll-max-ms", "100");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    var buyers = report.json().getJsonObject("buyers");
    assertThat(buyers.getLong("ordered")).isEqualTo(20);
    assertThat(buyers.getLong("soldOut")).isEqualTo(10);
    assertThat(buyers.getLong("failed")).isZero();
    assertThat(buyers.getLong("unfinished")).isZero();
    assertThat(report.json().getLong("ticketsOrdered")).isEqualTo(20);
    assertThat(report.json().getJsonObject("latencyMs").fieldNames())
        .contains("join", "state", "status", "reserve", "order", "pay", "fetch");
    // The fake answers every seventh reservation 503 and every fourth pay page 503 (the session
    // rate): those are retried after Retry-After, and counted.
    assertThat(report.json().getJsonObject("errors").fieldNames()).contains("reserve 503 overloaded", "pay 503");
    assertThat(report.json().getValue("timeToSoldOutSeconds")).isNotNull();
    // A priced event: every order waited for its payment, and every buyer paid on the test page.
    assertThat(buyers.getLong("paid")).isEqualTo(20);
    assertThat(count(payments(report).getJsonObject("results"), "paid")).isEqualTo(20);
    assertThat(report.json().getJsonObject("orders").getJsonObject("byStatus").getLong("paid")).isEqualTo(20);
    assertThat(report.json().getBoolean("soldOutReached")).isTrue();
    assertThat(report.json().getDouble("timeToSellOutSeconds")).isPositive();
  }

  @Test
  @DisplayName("--follow status: waiting buyers poll their own status and never read the public state; both ways sell out")
  void followsTheStatusWhenAsked() throws Exception {
    FakeOnsale fake = new FakeOnsale(vertx, false);
    int port = startFake(fake);
    Report report = run(port, "--buyers", "30", "--tickets", "20", "--categories", "2", "--poll-min-ms", "20",
        "--poll-max-ms", "100", "--follow", "status");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    assertThat(report.json().getJsonObject("buyers").getLong("ordered")).isEqualTo(20);
    assertThat(report.json().getJsonObject("settings").getString("follow")).isEqualTo("status");
    assertThat(report.json().getJsonObject("latencyMs").fieldNames()).contains("status").doesNotContain("state");
    assertThat(fake.stateReads()).isZero();
  }

  @Test
  @DisplayName("a free event: orders are paid when placed, nobody opens a pay page")
  void freeEvent() throws Exception {
    int port = startFake(false);
    Report report = run(port, "--buyers", "30", "--tickets", "20", "--free", "--poll-min-ms", "20", "--poll-max-ms", "100");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    assertThat(report.json().getJsonObject("buyers").getLong("paid")).isEqualTo(20);
    assertThat(report.json().getJsonObject("latencyMs").fieldNames()).doesNotContain("pay", "attempt");
    assertThat(payments(report).getJsonObject("results").isEmpty()).isTrue();
    assertThat(report.json().getBoolean("soldOutReached")).isTrue();
  }

  @Test
  @DisplayName("buyers who decline once make a new attempt and pay it")
  void declines() throws Exception {
    FakeOnsale fake = new FakeOnsale(vertx, false);
    int port = startFake(fake);
    Report report = run(port, "--buyers", "30", "--tickets", "20", "--decline-share", "0.5", "--poll-min-ms", "20",
        "--poll-max-ms", "100");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    long decliners = count(payments(report).getJsonObject("plans"), "declineThenPay");
    assertThat(decliners).isBetween(3L, 17L);
    assertThat(count(payments(report).getJsonObject("results"), "failed")).isEqualTo(decliners);
    assertThat(count(payments(report).getJsonObject("results"), "paid")).isEqualTo(20);
    assertThat(report.json().getJsonObject("latencyMs").getJsonObject("attempt").getLong("count")).isEqualTo(decliners);
    assertThat(fake.results()).containsEntry("failed", decliners).containsEntry("paid", 20L);
    assertThat(report.json().getJsonObject("stats").getLong("sold")).isEqualTo(20);
  }

  @Test
  @DisplayName("abandoned payments: their tickets come back after the window and grace, and waiting buyers get them")
  void abandons() throws Exception {
    int port = startFake(false);
    Report report = run(port, "--buyers", "40", "--tickets", "15", "--abandon-share", "0.3", "--payment-seconds", "3",
        "--payment-grace-seconds", "1", "--poll-min-ms", "20", "--poll-max-ms", "100");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    long abandoned = count(payments(report).getJsonObject("plans"), "abandon");
    io.vertx.core.json.JsonObject results = payments(report).getJsonObject("results");
    assertThat(count(results, "abandoned")).as(report.summary()).isPositive().isLessThanOrEqualTo(abandoned);
    long unpaid = report.json().getJsonObject("buyers").getLong("unpaid");
    // Every unpaid order ended expired; on a slow machine a payer may also miss its window.
    assertThat(unpaid).isEqualTo(count(results, "abandoned") + count(results, "not_payable") + count(results, "session_not_open"));
    assertThat(report.json().getJsonObject("orders").getJsonObject("byStatus").getLong("expired")).isEqualTo(unpaid);
    assertThat(report.json().getJsonObject("stats").getLong("sold")).isEqualTo(15);
    assertThat(report.json().getBoolean("soldOutReached")).isTrue();
    // The last ticket was sold only after an abandoned order's window and grace (4 s) had passed.
    assertThat(report.json().getDouble("timeToSellOutSeconds")).isGreaterThan(4.0);
  }

  @Test
  @DisplayName("late buyers a moment into the grace: paid while the session is open, 409 once reconciliation expired it")
  void latePaymentsInTheGrace() throws Exception {
    FakeOnsale fake = new FakeOnsale(vertx, false).reconcileLagMillis(600);
    int port = startFake(fake);
    Report report = run(port, "--buyers", "40", "--tickets", "20", "--late-share", "0.5", "--late-by-ms", "300",
        "--payment-seconds", "3", "--payment-grace-seconds", "2", "--poll-min-ms", "20", "--poll-max-ms", "100");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    long late = count(payments(report).getJsonObject("plans"), "late");
    io.vertx.core.json.JsonObject lateResults = payments(report).getJsonObject("late");
    assertThat(late).isPositive();
    assertThat(lateResults.stream().mapToLong(e -> ((Number) e.getValue()).longValue()).sum()).isEqualTo(late);
    assertThat(lateResults.fieldNames()).isSubsetOf("paid", "session_not_open", "not_payable");
    // A late buyer's 409 is the honest outcome, not an error of the run.
    assertThat(report.json().getJsonObject("errors").fieldNames()).doesNotContain("pay 409 session_not_open");
    assertThat(report.json().getJsonObject("stats").getLong("sold")).isEqualTo(20);
  }

  @Test
  @DisplayName("late buyers past the grace: completed while tickets are free, refunded when not; nothing sold twice")
  void latePaymentsAfterTheGrace() throws Exception {
    // Reconciliation never comes: the session stays open, as when the provider's expiry is lost.
    FakeOnsale fake = new FakeOnsale(vertx, false).reconcileLagMillis(-1);
    int port = startFake(fake);
    Report report = run(port, "--buyers", "30", "--tickets", "20", "--late-share", "0.3", "--late-by-ms", "1500",
        "--payment-seconds", "3", "--payment-grace-seconds", "1", "--poll-min-ms", "20", "--poll-max-ms", "100");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    long late = count(payments(report).getJsonObject("plans"), "late");
    io.vertx.core.json.JsonObject lateResults = payments(report).getJsonObject("late");
    assertThat(late).isPositive();
    assertThat(lateResults.fieldNames()).isSubsetOf("late_completed", "late_refunded");
    assertThat(count(lateResults, "late_completed") + count(lateResults, "late_refunded")).isEqualTo(late);
    assertThat(fake.results().getOrDefault("late_completed", 0L)).isEqualTo(count(lateResults, "late_completed"));
  }

  @Test
  @DisplayName("buyers asking for one to three tickets: sold out up to a remainder, nothing twice")
  void varyingQuantities() throws Exception {
    int port = startFake(false);
    Report report = run(port, "--buyers", "40", "--tickets", "30", "--categories", "3", "--quantity", "1",
        "--quantity-max", "3", "--arrival", "ramp", "--ramp-seconds", "1", "--think-ms", "5", "--poll-min-ms", "20");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    assertThat(report.json().getJsonObject("buyers").getLong("failed")).isZero();
  }

  @Test
  @DisplayName("a ticket sold to two buyers fails the integrity check")
  void detectsDoubleSale() throws Exception {
    int port = startFake(true);
    Report report = run(port, "--buyers", "10", "--tickets", "10", "--categories", "1", "--poll-min-ms", "20");

    assertThat(report.integrityPassed()).isFalse();
    assertThat(report.json().getJsonObject("integrity").getJsonArray("checks").stream()
        .map(o -> (io.vertx.core.json.JsonObject) o)
        .filter(c -> !c.getBoolean("passed"))
        .map(c -> c.getString("name")))
        .contains("no ticket sold twice");
  }

  @Test
  @DisplayName("reserve-only mode keeps reserving until the tickets run out and finds no double hold")
  void reserveOnly() throws Exception {
    int port = startFake(false);
    Report report = run(port, "--mode", "reserve-only", "--tickets", "300", "--categories", "2", "--duration", "20",
        "--warmup", "0", "--concurrency", "8");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    assertThat(report.json().getLong("ticketsReserved")).isEqualTo(300);
    assertThat(report.json().getJsonObject("throughputPerSecond").getDouble("reserve")).isPositive();
  }

  @Test
  @DisplayName("the warm-up comes before the recorded duration, not out of it")
  void warmupComesBeforeTheDuration() throws Exception {
    int port = startFake(false);
    Report report = run(port, "--mode", "reserve-only", "--tickets", "1000000", "--categories", "1", "--duration", "2",
        "--warmup", "2", "--concurrency", "2");

    assertThat(report.json().getDouble("durationSeconds")).isGreaterThanOrEqualTo(3.9);
    assertThat(report.json().getJsonObject("latencyMs").getJsonObject("reserve").getLong("count")).isPositive();
  }

  @Test
  @DisplayName("order-only mode orders every hold at once: priced orders wait pending, free ones are paid, nothing twice")
  void orderOnly() throws Exception {
    int port = startFake(false);
    Report priced = run(port, "--mode", "order-only", "--tickets", "200", "--categories", "2", "--duration", "20",
        "--warmup", "0", "--concurrency", "8");

    assertThat(priced.integrityPassed()).as(priced.summary()).isTrue();
    assertThat(priced.json().getLong("ticketsOrdered")).isEqualTo(200);
    assertThat(priced.json().getJsonObject("stats").getLong("pending")).isEqualTo(200);
    assertThat(priced.json().getJsonObject("throughputPerSecond").getDouble("order")).isPositive();
    assertThat(priced.json().getJsonObject("latencyMs").fieldNames()).containsExactlyInAnyOrder("reserve", "order");

    int freePort = startFake(false);
    Report free = run(freePort, "--mode", "order-only", "--free", "--tickets", "100", "--duration", "20",
        "--warmup", "0", "--concurrency", "8");

    assertThat(free.integrityPassed()).as(free.summary()).isTrue();
    assertThat(free.json().getJsonObject("stats").getLong("sold")).isEqualTo(100);
    assertThat(free.json().getJsonObject("buyers").getLong("paid")).isEqualTo(100);
  }

  @Test
  @DisplayName("join-only mode fills the queue without touching a ticket")
  void joinOnly() throws Exception {
    int port = startFake(false);
    Report report = run(port, "--mode", "join-only", "--buyers", "50", "--tickets", "10");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    assertThat(report.json().getJsonObject("buyers").getLong("joined")).isEqualTo(50);
    assertThat(report.json().getJsonObject("latencyMs").fieldNames()).containsExactly("join");
  }

  @Test
  @DisplayName("join-only keeps --concurrency joins in flight: the client never queues more than the server is working on")
  void joinOnlyIsAClosedLoop() throws Exception {
    FakeOnsale fake = new FakeOnsale(vertx, false).joinDelayMillis(5);
    int port = startFake(fake);
    Report report = run(port, "--mode", "join-only", "--buyers", "400", "--tickets", "10", "--concurrency", "8");

    assertThat(report.json().getJsonObject("buyers").getLong("joined")).isEqualTo(400);
    assertThat(report.json().getLong("errorCount")).isZero();
    assertThat(fake.maxJoinsInFlight()).isBetween(1, 8);
  }

  @Test
  @DisplayName("the report is written as JSON and as a self-contained HTML page with charts")
  void writesReports(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    int port = startFake(false);
    Report report = run(port, "--buyers", "12", "--tickets", "10", "--poll-min-ms", "20");

    List<Path> files = report.write(dir.resolve("smoke"));

    assertThat(files).allMatch(Files::exists);
    String html = Files.readString(files.get(1), StandardCharsets.UTF_8);
    assertThat(html).contains("<svg", "Integrity", "p99.9").doesNotContain("<script src", "<link ");
    assertThat(new io.vertx.core.json.JsonObject(Files.readString(files.get(0))).getJsonObject("integrity")
        .getBoolean("passed")).isTrue();
  }
}
