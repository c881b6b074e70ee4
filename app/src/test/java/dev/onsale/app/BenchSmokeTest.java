package dev.onsale.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.bench.Bench;
import dev.onsale.bench.Report;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator once, with tiny numbers, against a real in-process Onsale: a smoke test of its
 * flow and of its integrity check. Real runs are benchmarks (docs/PERFORMANCE.md), never timed tests.
 */
@DisplayName("The load generator against a real instance")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchSmokeTest {

  private static OnsaleApp app;
  private static OnsaleConfig config;

  @BeforeAll
  static void start() {
    // As bench/run-all.sh starts Onsale: the pay page's session rate and the per-address cap on
    // pending tickets would otherwise throttle buyers who all come from this one address.
    config = TestEnv.freshConfig(Map.of("ONSALE_JOIN_RATE_PER_MINUTE", "100000",
        "ONSALE_PAYMENT_SESSIONS_PER_SECOND", "100000", "ONSALE_MAX_PENDING_TICKETS_PER_ADDRESS", "100000"));
    app = TestEnv.await(OnsaleApp.start(config));
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      TestEnv.await(app.stop());
    }
  }

  private static Report bench(String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "--base-url", "http://127.0.0.1:" + config.httpPort(),
        "--admin-token", config.adminToken(),
        "--quiet", "--poll-min-ms", "100", "--poll-max-ms", "500", "--timeout", "120"));
    args.addAll(List.of(extra));
    return Bench.parse(args.toArray(String[]::new)).run(new PrintStream(new ByteArrayOutputStream()));
  }

  @Test
  @DisplayName("30 buyers through queue, reserve, order, pay and fetch for 20 tickets: each ticket sold once, to a paid order")
  void fullFlowThroughTheWaitingRoom() throws Exception {
    assumeTrue(waitingRoomServed(), "the waiting room's queue endpoint is not deployed in this build");

    Report report = bench("--buyers", "30", "--tickets", "20", "--categories", "2", "--rate", "6000",
        "--max-active", "50");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    JsonObject buyers = report.json().getJsonObject("buyers");
    assertThat(buyers.getLong("joined")).isEqualTo(30);
    assertThat(buyers.getLong("ordered")).isEqualTo(20);
    assertThat(buyers.getLong("soldOut")).isEqualTo(10);
    assertThat(buyers.getLong("failed")).isZero();
    assertThat(buyers.getLong("paid")).isEqualTo(20);
    assertThat(report.json().getJsonObject("payments").getJsonObject("results").getLong("paid")).isEqualTo(20);
    assertThat(report.json().getJsonObject("latencyMs").fieldNames()).contains("order", "pay");
    assertThat(report.json().getJsonObject("stats").getLong("sold")).isEqualTo(20);
  }

  @Test
  @DisplayName("declines, abandons and late payers: abandoned tickets come back to waiting buyers, nothing sold twice")
  void paymentsWithDeclinesAbandonsAndLatePayers() throws Exception {
    assumeTrue(waitingRoomServed(), "the waiting room's queue endpoint is not deployed in this build");
    Report report = bench("--buyers", "30", "--tickets", "12", "--categories", "2", "--rate", "6000",
        "--max-active", "50", "--decline-share", "0.25", "--abandon-share", "0.15", "--late-share", "0.1",
        "--payment-seconds", "30", "--payment-grace-seconds", "0", "--late-by-ms", "1000");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    JsonObject payments = report.json().getJsonObject("payments");
    JsonObject plans = payments.getJsonObject("plans");
    JsonObject results = payments.getJsonObject("results");
    assertThat(results.getLong("failed", 0L)).as(report.summary()).isEqualTo(plans.getLong("declineThenPay"));
    assertThat(results.getLong("abandoned", 0L)).isEqualTo(plans.getLong("abandon"));
    long lateOutcomes = payments.getJsonObject("late").stream().mapToLong(e -> ((Number) e.getValue()).longValue()).sum();
    assertThat(lateOutcomes).isEqualTo(plans.getLong("late"));
    assertThat(report.json().getJsonObject("buyers").getLong("failed")).isZero();
    // Abandoned orders expired after their window, and their tickets went to buyers still waiting.
    assertThat(report.json().getBoolean("soldOutReached")).as(report.summary()).isTrue();
    assertThat(report.json().getJsonObject("stats").getLong("sold")).isEqualTo(12);
  }

  @Test
  @DisplayName("with the waiting room off, 30 buyers for 20 tickets in 1 to 3 ticket orders: nothing sold twice")
  void fullFlowWithoutWaitingRoom() throws Exception {
    Report report = bench("--buyers", "30", "--tickets", "20", "--categories", "2", "--waiting-room", "off",
        "--quantity", "1", "--quantity-max", "3", "--out", "target/bench-smoke");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    JsonObject buyers = report.json().getJsonObject("buyers");
    assertThat(buyers.getLong("failed")).isZero();
    assertThat(buyers.getLong("ordered") + buyers.getLong("soldOut")).isEqualTo(30);
    assertThat(buyers.getLong("paid")).isEqualTo(buyers.getLong("ordered"));
    assertThat(report.json().getJsonObject("integrity").getJsonArray("checks").stream()
        .map(c -> ((JsonObject) c).getString("name")))
        .contains("no ticket sold twice", "every order's tickets exist",
            "the organizer's order list matches the buyers' orders", "server: no ticket in two orders");
    List<Path> files = report.write(Path.of("target", "bench-smoke"));
    assertThat(Files.readString(files.get(1))).contains("<svg", "passed");
  }

  @Test
  @DisplayName("reserve-only mode claims every ticket exactly once")
  void reserveOnly() {
    Report report = bench("--mode", "reserve-only", "--tickets", "200", "--categories", "2", "--duration", "60",
        "--warmup", "0", "--concurrency", "16");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    assertThat(report.json().getLong("ticketsReserved")).isEqualTo(200);
  }

  @Test
  @DisplayName("order-only mode orders every hold at once: pending orders keep exactly the tickets ordered")
  void orderOnly() {
    Report report = bench("--mode", "order-only", "--tickets", "100", "--categories", "2", "--duration", "60",
        "--warmup", "0", "--concurrency", "8");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    assertThat(report.json().getLong("ticketsOrdered")).isEqualTo(100);
    assertThat(report.json().getJsonObject("stats").getLong("pending")).isEqualTo(100);
  }

  @Test
  @DisplayName("crowd mode: buyers join before the sale, wait as the page does, leave once admitted; the window counts the origin's requests and CPU")
  void crowd() {
    Report report = bench("--mode", "crowd", "--buyers", "300", "--tickets", "100", "--rate", "600",
        "--max-active", "1000", "--sale-delay", "4", "--warmup", "2", "--duration", "4", "--concurrency", "32",
        "--origin-url", "http://127.0.0.1:" + config.httpPort(), "--origin-pid", String.valueOf(ProcessHandle.current().pid()));

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    JsonObject buyers = report.json().getJsonObject("buyers");
    assertThat(buyers.getLong("joined")).isEqualTo(300);
    assertThat(buyers.getLong("reserved")).isZero();
    JsonObject window = report.json().getJsonObject("crowd");
    assertThat(window).as(report.summary()).isNotNull();
    assertThat(window.getLong("waitingAtStart")).isPositive();
    assertThat(window.getDouble("stateRequestsPerSecond")).isPositive();
    // Without a front in between, every poll of the crowd reaches the origin.
    assertThat(window.getDouble("originRequestsPerSecond")).isGreaterThan(0.0);
    assertThat(window.getDouble("originCpuCores")).isGreaterThan(0.0);
    assertThat(report.json().getJsonObject("stats").getLong("sold", 0L)).isZero();
  }

  /** True once the waiting room serves its join endpoint (404 on an unknown event, not on the path). */
  private static boolean waitingRoomServed() throws Exception {
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + config.httpPort() + "/api/v1/events/999999999/queue"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    return !(answer.statusCode() == 404 && answer.body().contains("path"));
  }
}
