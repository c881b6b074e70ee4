package dev.onsale.app;

import dev.onsale.bench.Bench;
import dev.onsale.bench.Report;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code onsale demo --crowd N}: N simulated buyers from the load generator (module {@code bench})
 * join the demo event's queue over a few seconds, wait their turn, reserve, order and fetch their
 * order like real pages, so a newcomer sees the queue fill and move on the queue page and on /ops.
 * They run on a thread of their own (the generator blocks its caller, never an event loop).
 */
final class DemoCrowd {

  static final int MAX = 100_000;

  private DemoCrowd() {}

  /** The load generator's command line for this crowd. */
  static List<String> arguments(String baseUrl, String adminToken, long eventId, int buyers, int ratePerMinute, Path out) {
    int rampSeconds = Math.max(5, Math.min(60, buyers / 20));
    // Long enough for the last buyer's turn: its queue wait at the event's rate, and some shopping.
    int timeoutSeconds = 300 + (int) Math.ceil(buyers * 60.0 / Math.max(1, ratePerMinute)) + rampSeconds;
    return List.of(
        "--base-url", baseUrl,
        "--admin-token", adminToken,
        "--event-id", String.valueOf(eventId),
        "--buyers", String.valueOf(buyers),
        "--arrival", "ramp",
        "--ramp-seconds", String.valueOf(rampSeconds),
        "--think-ms", "4000",
        "--poll-max-ms", "3000",
        "--connections", "32",
        "--timeout", String.valueOf(timeoutSeconds),
        "--no-server-invariants",
        "--quiet",
        "--label", "onsale demo --crowd " + buyers,
        "--out", out.toString());
  }

  /** Starts the crowd on a daemon thread; prints one line when it begins and a summary when it is done. */
  static Thread start(String baseUrl, String adminToken, long eventId, int buyers, int ratePerMinute, PrintStream console) {
    Thread thread = new Thread(() -> {
      try {
        Path dir = Files.createTempDirectory("onsale-demo-crowd");
        Bench bench = Bench.parse(arguments(baseUrl, adminToken, eventId, buyers, ratePerMinute, dir.resolve("crowd"))
            .toArray(String[]::new));
        Report report = bench.run(new PrintStream(OutputStream.nullOutputStream()));
        List<Path> files = report.write(dir.resolve("crowd"));
        console.println();
        console.println("  The crowd of " + buyers + " simulated buyers is done. Its report: " + files.get(1));
        console.print(report.summary().indent(2));
      } catch (Exception e) {
        console.println("  The crowd of simulated buyers stopped: " + e.getMessage());
      }
    }, "demo-crowd");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
