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
    return new FakeOnsale(vertx, sellTwice).start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
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
        .contains("join", "status", "reserve", "order", "fetch");
    // The fake answers every seventh reservation 503: those are retried, and counted.
    assertThat(report.json().getJsonObject("errors").fieldNames()).contains("reserve 503 overloaded");
    assertThat(report.json().getValue("timeToSoldOutSeconds")).isNotNull();
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
  @DisplayName("join-only mode fills the queue without touching a ticket")
  void joinOnly() throws Exception {
    int port = startFake(false);
    Report report = run(port, "--mode", "join-only", "--buyers", "50", "--tickets", "10");

    assertThat(report.integrityPassed()).as(report.summary()).isTrue();
    assertThat(report.json().getJsonObject("buyers").getLong("joined")).isEqualTo(50);
    assertThat(report.json().getJsonObject("latencyMs").fieldNames()).containsExactly("join");
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
