package dev.onsale.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A crowd run's window figures, from the two edges it reads. */
class CrowdWindowTest {

  @Test
  @DisplayName("the origin's requests are the sum of Vert.x's server request counter over its labels")
  void sumsTheRequestCounter() {
    String scrape = """
        # HELP vertx_http_server_requests_total Number of processed requests
        # TYPE vertx_http_server_requests_total counter
        vertx_http_server_requests_total{code="200",method="GET"} 1200.0
        vertx_http_server_requests_total{code="304",method="GET"} 30.0
        vertx_http_server_requests_total{code="201",method="POST"} 5.0
        vertx_http_server_active_requests 2.0
        """;
    assertThat(CrowdWindow.requestsAnswered(scrape)).isEqualTo(1235.0);
    assertThat(CrowdWindow.requestsAnswered("jvm_threads_live_threads 20.0\n")).isEqualTo(-1.0);
  }

  @Test
  @DisplayName("per second of the window, less the first edge's own read of /metrics; unread values are left out")
  void perSecondOfTheWindow() {
    CrowdWindow.Edge start = new CrowdWindow.Edge(10_000, 9_000, 100, 10, 1_000, 500, 2.0);
    CrowdWindow.Edge end = new CrowdWindow.Edge(20_000, 8_000, 5_100, 210, 2_000, 601, 3.5);
    JsonObject window = CrowdWindow.between(start, end);
    assertThat(window.getDouble("windowSeconds")).isEqualTo(10.0);
    assertThat(window.getLong("waitingAtStart")).isEqualTo(9_000);
    assertThat(window.getLong("admittedInWindow")).isEqualTo(1_000);
    assertThat(window.getDouble("stateRequestsPerSecond")).isEqualTo(500.0);
    assertThat(window.getDouble("statusRequestsPerSecond")).isEqualTo(20.0);
    assertThat(window.getDouble("originRequestsPerSecond")).isEqualTo(10.0);
    assertThat(window.getDouble("originCpuCores")).isEqualTo(0.15);

    JsonObject unread = CrowdWindow.between(start, new CrowdWindow.Edge(20_000, 8_000, 5_100, 210, 2_000, -1, -1));
    assertThat(unread.containsKey("originRequestsPerSecond")).isFalse();
    assertThat(unread.containsKey("originCpuCores")).isFalse();
  }
}
