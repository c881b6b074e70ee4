package dev.onsale.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * One buyer in the waiting room, to see what a fault does to a place. When the waiting room's
 * routes are not served (the module is absent), it reports that and asserts nothing.
 */
final class QueueProbe {

  record Seen(int joinStatus, String joinRetryAfter, int statusStatus, String statusRetryAfter) {}

  private final long eventId;
  private final String token;
  private final Long number;

  private QueueProbe(long eventId, String token, Long number) {
    this.eventId = eventId;
    this.token = token;
    this.number = number;
  }

  static QueueProbe join(TestHttp http, long eventId) {
    TestHttp.Answer answer = http.post("/api/v1/events/" + eventId + "/queue", new JsonObject(), Map.of());
    if (answer.status() == 404 && "not_found".equals(answer.error()) && answer.json().getString("message", "").startsWith("path")) {
      return new QueueProbe(eventId, null, null);
    }
    assertThat(answer.status()).as("join: %s", answer.raw()).isBetween(200, 201);
    return new QueueProbe(eventId, answer.json().getString("queueToken"), answer.json().getLong("number"));
  }

  Long number() {
    return number;
  }

  boolean served() {
    return token != null;
  }

  Seen probe(TestHttp http) {
    if (!served()) {
      return null;
    }
    TestHttp.Answer join = http.post("/api/v1/events/" + eventId + "/queue", new JsonObject(), Map.of());
    TestHttp.Answer status = http.get("/api/v1/events/" + eventId + "/queue/status", bearer());
    return new Seen(join.status(), join.headers().get("Retry-After"), status.status(), status.headers().get("Retry-After"));
  }

  void assertWhileDown(Seen seen) {
    if (!served()) {
      return;
    }
    assertThat(seen.joinStatus()).as("join while Redis is down").isEqualTo(503);
    assertThat(Integer.parseInt(seen.joinRetryAfter())).isPositive();
    assertThat(seen.statusStatus()).as("status while Redis is down").isEqualTo(503);
    assertThat(Integer.parseInt(seen.statusRetryAfter())).isPositive();
  }

  /** After Redis is back with its data, the same token still names the same place. */
  void assertSamePlaceAfter(TestHttp http) {
    if (!served()) {
      return;
    }
    TestHttp.Answer again = http.post("/api/v1/events/" + eventId + "/queue", new JsonObject(), bearer());
    assertThat(again.status()).as("rejoin: %s", again.raw()).isBetween(200, 201);
    assertThat(again.json().getLong("number")).as("the same place").isEqualTo(number);
    TestHttp.Answer status = http.get("/api/v1/events/" + eventId + "/queue/status", bearer());
    assertThat(status.status()).as("status: %s", status.raw()).isEqualTo(200);
  }

  private Map<String, String> bearer() {
    return Map.of("Authorization", "Bearer " + token);
  }
}
