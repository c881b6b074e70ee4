package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a waiting crowd costs the origin over a crowd run's window: the requests the buyers sent
 * (through the front, nginx say) beside the requests that reached the Onsale instance and the CPU
 * its process used, read at the window's two edges.
 */
final class CrowdWindow {

  /** Linux's clock ticks per second for {@code /proc/<pid>/stat} (USER_HZ, 100 on every mainstream build). */
  private static final double TICKS_PER_SECOND = 100.0;

  /** The counters at one edge of the window; a value that could not be read is -1. */
  record Edge(long atMillis, long waiting, long stateRequests, long statusRequests, long admitted,
              double originRequests, double originCpuSeconds) {}

  private final Vertx vertx;
  private final WebClient client;
  private final Settings.Origin origin;
  private final Progress progress;
  private final RunClock clock;

  CrowdWindow(Vertx vertx, WebClient client, Settings.Origin origin, Progress progress, RunClock clock) {
    this.vertx = vertx;
    this.client = client;
    this.origin = origin;
    this.progress = progress;
    this.clock = clock;
  }

  Future<Edge> read() {
    long at = clock.elapsedMillis();
    long waiting = progress.joined.get() - progress.admitted.get();
    long state = progress.stateRequests.get();
    long status = progress.statusRequests.get();
    long admitted = progress.admitted.get();
    Future<Double> requests = originRequests();
    Future<Double> cpu = vertx.executeBlocking(this::originCpuSeconds, false);
    return Future.all(requests, cpu).map(done -> new Edge(at, waiting, state, status, admitted,
        requests.result(), cpu.result()));
  }

  /** The window's figures, per second of it. */
  static JsonObject between(Edge start, Edge end) {
    double seconds = Math.max(0.001, (end.atMillis() - start.atMillis()) / 1000.0);
    JsonObject json = new JsonObject()
        .put("windowSeconds", round(seconds))
        .put("waitingAtStart", start.waiting())
        .put("waitingAtEnd", end.waiting())
        .put("admittedInWindow", end.admitted() - start.admitted())
        .put("stateRequestsPerSecond", round((end.stateRequests() - start.stateRequests()) / seconds))
        .put("statusRequestsPerSecond", round((end.statusRequests() - start.statusRequests()) / seconds));
    if (start.originRequests() >= 0 && end.originRequests() >= 0) {
      // Less the first edge's own /metrics read, counted once it was answered (the second is not in its own count).
      json.put("originRequestsPerSecond", round(Math.max(0, end.originRequests() - start.originRequests() - 1) / seconds));
    }
    if (start.originCpuSeconds() >= 0 && end.originCpuSeconds() >= 0) {
      json.put("originCpuCores", round((end.originCpuSeconds() - start.originCpuSeconds()) / seconds));
    }
    return json;
  }

  /** The HTTP requests the instance has answered, from its Vert.x server metrics; -1 when not asked or not readable. */
  private Future<Double> originRequests() {
    if (origin.url() == null) {
      return Future.succeededFuture(-1.0);
    }
    return client.getAbs(origin.url() + "/metrics").send()
        .map(response -> response.statusCode() == 200 ? requestsAnswered(response.bodyAsString()) : -1.0)
        .otherwise(-1.0);
  }

  /** Sums {@code vertx_http_server_requests_total} over its labels (method, code) in a Prometheus scrape. */
  static double requestsAnswered(String scrape) {
    double total = 0;
    boolean found = false;
    for (String line : scrape.split("\n")) {
      if (line.startsWith("vertx_http_server_requests_total")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? total : -1.0;
  }

  /** User and system CPU seconds of the instance's process so far; -1 when not asked or not readable. */
  private double originCpuSeconds() {
    if (origin.pid() == null) {
      return -1.0;
    }
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(origin.pid()), "stat"));
      // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1.0;
    }
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
