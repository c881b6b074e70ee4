package dev.onsale.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Health checks and /metrics")
class HealthAndMetricsTest {

  @Test
  @DisplayName("an instance whose PostgreSQL and Redis answer is live and ready")
  void readyWhenBothAnswer() {
    try (OpsInstance ops = OpsInstance.start(TestEnv.freshConfig(), false)) {
      assertThat(ops.get("/health/live", null).statusCode()).isEqualTo(200);
      HttpResponse<String> ready = ops.get("/health/ready", null);
      assertThat(ready.statusCode()).isEqualTo(200);
      JsonObject body = new JsonObject(ready.body());
      assertThat(body.getString("status")).isEqualTo("up");
      assertThat(body.getJsonObject("checks").getString("postgresql")).isEqualTo("up");
      assertThat(body.getJsonObject("checks").getString("redis")).isEqualTo("up");
    }
  }

  @Test
  @DisplayName("readiness answers 503 naming Redis when Redis does not answer, while liveness stays up")
  void notReadyWithoutRedis() {
    int nobodyListens = TestEnv.freePort();
    try (OpsInstance ops = OpsInstance.start(TestEnv.freshConfig(Map.of(
        "ONSALE_REDIS_URL", "redis://127.0.0.1:" + nobodyListens)), false)) {
      HttpResponse<String> ready = ops.get("/health/ready", null);
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonObject body = new JsonObject(ready.body());
      assertThat(body.getString("error")).isEqualTo("not_ready");
      assertThat(body.getString("message")).isEqualTo("redis not answering");
      assertThat(body.getJsonObject("checks").getString("postgresql")).isEqualTo("up");
      assertThat(body.getJsonObject("checks").getString("redis")).startsWith("down");
      assertThat(ops.get("/health/live", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("readiness answers 503 naming PostgreSQL when the database is unreachable")
  void notReadyWithoutPostgres() {
    int nobodyListens = TestEnv.freePort();
    try (OpsInstance ops = OpsInstance.start(TestEnv.freshConfig(Map.of(
        "ONSALE_PG_URL", "postgresql://postgres@127.0.0.1:" + nobodyListens + "/onsale")), false)) {
      HttpResponse<String> ready = ops.get("/health/ready", null);
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonObject body = new JsonObject(ready.body());
      assertThat(body.getString("message")).isEqualTo("postgresql not answering");
      assertThat(body.getJsonObject("checks").getString("redis")).isEqualTo("up");
    }
  }

  @Test
  @DisplayName("/metrics shows HTTP server, SQL pool, Redis, JVM and job-queue metrics in Prometheus text")
  void metricsCoverEveryLayer() {
    try (OpsInstance ops = OpsInstance.start(TestEnv.freshConfig(Map.of("ONSALE_QUEUE_MONITOR_INTERVAL_MS", "100")), true)) {
      ops.get("/health/ready", null); // touches the SQL pool and the Redis client
      HttpResponse<String> metrics = ops.get("/metrics", null);
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      assertThat(metrics.body())
          .contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\"}")
          .contains("vertx_pool_in_use{pool_name=\"__vertx.DEFAULT\",pool_type=\"sql\"}")
          .containsPattern("vertx_pool_in_use\\{pool_name=\"[^\"]+\",pool_type=\"redis\"}")
          .contains("jvm_memory_used_bytes")
          .contains("jvm_threads_live_threads")
          .contains("vertx_sql_processing_time_seconds_count")
          .contains("vertx_redis_processing_time_seconds_count")
          .contains("process_cpu_usage")
          .contains("onsale_jobs_stream_length{queue=\"tickets\"}")
          .contains("onsale_jobs_pending{queue=\"webhooks\"}")
          .contains("onsale_jobs_oldest_age_seconds{queue=\"background\"}")
          .contains("onsale_alert_active{queue=\"mail\"} 0.0")
          .contains("onsale_jobs_retrying{queue=\"mail\"} 0.0")
          .contains("onsale_jobs_failing{queue=\"mail\"} 0.0")
          .contains("onsale_jobs_failed_last_minute{queue=\"tickets\"} 0.0");
    }
  }

  @Test
  @DisplayName("every published event has its order, reservation and queue metrics from the start, at zero, and its waiting count")
  void eventMetricsExistAtZero() throws Exception {
    try (OpsInstance ops = OpsInstance.start(TestEnv.freshConfig(Map.of("ONSALE_QUEUE_MONITOR_INTERVAL_MS", "100")), true)) {
      RedisKeys keys = ops.services.keys();
      TestEnv.await(ops.services.redisApi().sadd(List.of(keys.events(), "42")));
      TestEnv.await(ops.services.redisApi().set(List.of(keys.event(42).arrivals(), "10")));
      TestEnv.await(ops.services.redisApi().set(List.of(keys.event(42).serving(), "4")));
      long deadline = System.currentTimeMillis() + 10_000;
      String text = ops.get("/metrics", null).body();
      while (!text.contains("onsale_queue_waiting{event=\"42\"} 6.0") && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
        text = ops.get("/metrics", null).body();
      }
      assertThat(text)
          .contains("onsale_queue_waiting{event=\"42\"} 6.0")
          .contains("onsale_orders_total{event=\"42\"} 0.0")
          .contains("onsale_reservations_total{event=\"42\",outcome=\"created\"} 0.0")
          .contains("onsale_reservations_total{event=\"42\",outcome=\"sold_out\"} 0.0")
          .contains("onsale_reservations_total{event=\"42\",outcome=\"rejected\"} 0.0")
          .contains("onsale_queue_joined_total{event=\"42\"} 0.0")
          .contains("onsale_queue_admitted_total{event=\"42\"} 0.0");
    }
  }
}
