package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.RedisKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/nginx/nginx.conf in a real nginx on loopback, in front of two real Onsale instances: the
 * compose stack's front door, exercised without Docker (only the upstream addresses, the listen
 * address and the file paths differ).
 */
@DisplayName("nginx in front of two instances (docker/nginx/nginx.conf)")
class NginxProxyTest {

  private static final Path DOCKER = Path.of("..", "docker").toAbsolutePath().normalize();

  private final List<OnsaleApp> apps = new ArrayList<>();
  private Process nginx;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() {
    if (nginx != null) {
      nginx.destroy();
    }
    apps.forEach(app -> await(app.stop()));
  }

  @Test
  @DisplayName("balances over both instances, caches static files and the queue state, lets 500 buyers behind one address join, limits floods, and shows a friendly page when both are down")
  void frontDoor(@TempDir Path temp) throws Exception {
    Path binary = Stream.of("/usr/sbin/nginx", "/usr/bin/nginx").map(Path::of).filter(Files::isExecutable).findFirst()
        .orElse(null);
    assumeTrue(binary != null, "nginx is not installed: run scripts/ensure-test-tools.sh as root");
    OnsaleConfig first = TestEnv.freshConfig(Map.of("ONSALE_ROLES", "web,ops", "ONSALE_HTTP_INSTANCES", "1"));
    apps.add(await(OnsaleApp.start(first)));
    apps.add(await(OnsaleApp.start(first.with(Map.of("ONSALE_HTTP_PORT", String.valueOf(TestEnv.freePort()))))));
    int port = TestEnv.freePort();
    nginx = startNginx(binary, temp, port);
    String base = "http://127.0.0.1:" + port;

    // Load balancing: both instances answer.
    double[] before = {livenessAnswers(apps.get(0)), livenessAnswers(apps.get(1))};
    for (int i = 0; i < 20; i++) {
      assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
    }
    assertThat(livenessAnswers(apps.get(0))).isGreaterThan(before[0]);
    assertThat(livenessAnswers(apps.get(1))).isGreaterThan(before[1]);

    // Static files are cached at the edge.
    get(base + "/ops-assets/onsale-ops.css");
    HttpResponse<String> cached = get(base + "/ops-assets/onsale-ops.css");
    assertThat(cached.statusCode()).isEqualTo(200);
    assertThat(cached.headers().firstValue("X-Cache-Status")).hasValue("HIT");

    // 500 buyers behind one address (a campus NAT) all join at once; a flood beyond that is limited.
    long eventId = 77;
    publishEvent(apps.get(0), eventId);
    int joined = 0;
    for (int i = 0; i < 500; i++) {
      HttpResponse<String> join = post(base + "/api/v1/events/" + eventId + "/queue");
      if (join.statusCode() == 201) {
        joined++;
      } else {
        assertThat(join.statusCode()).as("join %d: %s", i, join.body()).isEqualTo(201);
      }
    }
    assertThat(joined).isEqualTo(500);
    int limited = 0;
    for (int i = 0; i < 300; i++) {
      if (post(base + "/api/v1/events/" + eventId + "/queue").statusCode() == 429) {
        limited++;
      }
    }
    assertThat(limited).as("joins beyond the burst answered 429").isGreaterThanOrEqualTo(100);
    for (int i = 0; i < 20; i++) {
      assertThat(get(base + "/api/v1/events/" + eventId + "/queue/state").statusCode()).isNotEqualTo(429);
    }

    // The public queue state: many buyers polling reach the origin about once a second in all.
    // The document is at most a second old at nginx plus a snapshot's age at the origin: wait for
    // one built after the last join.
    HttpResponse<String> state = get(base + "/api/v1/events/" + eventId + "/queue/state?cachebuster=1");
    for (int i = 0; i < 50 && new JsonObject(state.body()).getLong("arrivals") < 500; i++) {
      Thread.sleep(100);
      state = get(base + "/api/v1/events/" + eventId + "/queue/state?cachebuster=1");
    }
    assertThat(state.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(state.body()).getLong("arrivals")).isBetween(500L, 800L - limited);
    assertThat(get(base + "/api/v1/events/" + eventId + "/queue/state?cachebuster=2").headers()
        .firstValue("X-Cache-Status")).as("the query string is not part of the key").hasValueSatisfying(
            status -> assertThat(status).isIn("HIT", "UPDATING", "EXPIRED"));
    double originBefore = originGets(apps.get(0)) + originGets(apps.get(1));
    long pollers = 40;
    long pollMillis = 6_000;
    java.util.concurrent.atomic.AtomicLong polls = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    long started = System.currentTimeMillis();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < pollers; i++) {
      Thread poller = new Thread(() -> {
        while (System.currentTimeMillis() - started < pollMillis) {
          HttpResponse<String> polled = get(base + "/api/v1/events/" + eventId + "/queue/state?t=" + System.nanoTime());
          polls.incrementAndGet();
          if (polled.statusCode() != 200) {
            failures.incrementAndGet();
          }
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      poller.start();
      threads.add(poller);
    }
    for (Thread poller : threads) {
      poller.join();
    }
    double seconds = (System.currentTimeMillis() - started) / 1000.0;
    // Less the two scrapes of /metrics that took the first reading.
    double originRequests = originGets(apps.get(0)) + originGets(apps.get(1)) - originBefore - 2;
    System.out.printf("queue state through nginx: %d polls by %d buyers in %.1f s, %.0f reached the origin%n",
        polls.get(), pollers, seconds, originRequests);
    assertThat(failures.get()).isZero();
    assertThat(polls.get()).as("the buyers polled many times").isGreaterThan(pollers * 10);
    // nginx counts a one-second lifetime in whole seconds (a copy lives 1 to 2 s), and the lock lets
    // one request through at a time: one origin read every one or two seconds, however many poll.
    assertThat(originRequests).as("origin reads of the state").isBetween(seconds / 2 - 1, seconds + 2);

    // Both instances down: a page for people, JSON for API clients.
    apps.forEach(app -> await(app.stop()));
    apps.clear();
    HttpResponse<String> page = get(base + "/e/some-event");
    assertThat(page.statusCode()).isEqualTo(503);
    assertThat(page.body()).contains("We will be right back");
    assertThat(page.headers().firstValue("Retry-After")).hasValue("10");
    HttpResponse<String> api = get(base + "/api/v1/events/1");
    assertThat(api.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(api.body()).getString("error")).isEqualTo("unavailable");
  }

  private Process startNginx(Path binary, Path temp, int port) throws IOException, InterruptedException {
    String config = Files.readString(DOCKER.resolve("nginx/nginx.conf"))
        .replace("listen 80 default_server;", "listen 127.0.0.1:" + port + " default_server;")
        .replace("/var/cache/nginx/onsale", temp.resolve("cache").toString())
        .replace("pid /tmp/nginx.pid;", "pid " + temp.resolve("nginx.pid") + ";")
        .replace("/usr/share/nginx/html/onsale", DOCKER.resolve("nginx/html").toString());
    Files.writeString(temp.resolve("nginx.conf"), config);
    Files.writeString(temp.resolve("onsale-upstreams.conf"), Files.readString(DOCKER.resolve("nginx/onsale-upstreams.conf"))
        .replace("web1:8080", "127.0.0.1:" + apps.get(0).port())
        .replace("web2:8080", "127.0.0.1:" + apps.get(1).port()));
    Path mimeTypes = Path.of("/etc/nginx/mime.types");
    Files.writeString(temp.resolve("mime.types"), Files.exists(mimeTypes) ? Files.readString(mimeTypes)
        : "types { text/html html; text/css css; application/javascript js; }\n");
    // The worker processes run as an unprivileged user: let them into the temporary prefix.
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Process process = new ProcessBuilder(binary.toString(), "-p", temp.toString(), "-c", temp.resolve("nginx.conf").toString(),
        "-g", "daemon off;")
        .redirectErrorStream(true)
        .redirectOutput(temp.resolve("nginx.log").toFile())
        .start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nginx-health")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return process;
        }
      } catch (IOException notYet) {
        assertThat(process.isAlive()).as("nginx runs: " + Files.readString(temp.resolve("nginx.log"))).isTrue();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("nginx did not start: " + Files.readString(temp.resolve("nginx.log")));
  }

  /** Publishes an event as the sale core does (meta hash, event set), queue open, sale in an hour. */
  private static void publishEvent(OnsaleApp app, long eventId) {
    RedisKeys keys = app.services().keys();
    long now = System.currentTimeMillis();
    await(app.services().redis().batch(List.of(
        Request.cmd(Command.HSET).arg(keys.event(eventId).meta())
            .arg("id").arg(eventId).arg("slug").arg("nat-night").arg("name").arg("NAT night")
            .arg("queueOpensAt").arg(now - 1_000).arg("saleStartsAt").arg(now + 3_600_000)
            .arg("saleEndsAt").arg(now + 7_200_000).arg("admissionRatePerMinute").arg(600)
            .arg("maxActiveShoppers").arg(100).arg("waitingRoom").arg("on").arg("preQueue").arg("fifo"),
        Request.cmd(Command.SADD).arg(keys.events()).arg(eventId))));
  }

  /** Every GET this instance answered (the only GETs while buyers poll are theirs). */
  private double originGets(OnsaleApp app) {
    String metrics = get("http://127.0.0.1:" + app.port() + "/metrics").body();
    return metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total{") && l.contains("method=\"GET\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private double livenessAnswers(OnsaleApp app) {
    String metrics = get("http://127.0.0.1:" + app.port() + "/metrics").body();
    return metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total{code=\"200\",method=\"GET\"}"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private HttpResponse<String> post(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
