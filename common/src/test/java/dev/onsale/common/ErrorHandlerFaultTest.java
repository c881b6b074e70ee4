package dev.onsale.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import java.net.ConnectException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;

/** The failures a backend restart produces, seen in the fault tests, each become a 503 with Retry-After. */
@DisplayName("A backend failing mid-request")
class ErrorHandlerFaultTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "Connection is not active now, current status: CLOSED",
      "Pool closed",
      "Connection refused: /127.0.0.1:5432",
      "FATAL: terminating connection due to administrator command",
      "FATAL: the database system is starting up",
      "FATAL: the database system is shutting down",
      "Failed to read any response from the server, the underlying connection may have been lost unexpectedly.",
      "LOADING Redis is loading the dataset in memory",
      "Broken pipe",
      "CONNECTION_CLOSED",
      "ERR [0] io.netty.channel.StacklessClosedChannelException\nERR [1] io.netty.channel.StacklessClosedChannelException",
      "Cannot connect to any of the provided endpoints\n- io.vertx.core.VertxException: Connection refused",
      "READONLY You can't write against a read only replica.",
      "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
      "CLUSTERDOWN The cluster is down",
      "TRYAGAIN Multiple keys request during rehashing of slot",
  })
  @DisplayName("is answered 503 with Retry-After")
  void backendDown(String message) {
    ApiException answer = ErrorHandler.toApiException(new VertxException(message), 500);
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.retryAfterSeconds()).isPositive();
  }

  @org.junit.jupiter.api.Test
  @DisplayName("a write that reached a standby during a failover is a 503, a constraint violation is not")
  void standby() {
    ApiException readOnly = ErrorHandler.toApiException(new io.vertx.pgclient.PgException(
        "cannot execute UPDATE in a read-only transaction", "ERROR", "25006", null), 500);
    assertThat(readOnly.status()).isEqualTo(503);
    assertThat(readOnly.retryAfterSeconds()).isPositive();
    ApiException unique = ErrorHandler.toApiException(new io.vertx.pgclient.PgException(
        "duplicate key value violates unique constraint", "ERROR", "23505", null), 500);
    assertThat(unique.status()).isEqualTo(500);
  }

  @org.junit.jupiter.api.Test
  @DisplayName("a refused connection wrapped in another failure is still a 503")
  void wrapped() {
    ApiException answer = ErrorHandler.toApiException(new RuntimeException("x", new ConnectException("refused")), 500);
    assertThat(answer.status()).isEqualTo(503);
  }
}
