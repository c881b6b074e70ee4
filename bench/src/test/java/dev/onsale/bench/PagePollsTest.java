package dev.onsale.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The bench's waiting buyers space their reads of the public state as queue.js does. */
class PagePollsTest {

  private static JsonObject admitting(int ratePerMinute) {
    return new JsonObject().put("state", "admitting").put("refreshSeconds", 2)
        .put("configuredRatePerMinute", ratePerMinute).putNull("admissionRatePerMinute").put("rateWindowSeconds", 0);
  }

  @Test
  @DisplayName("near the front: every refreshSeconds; far from it: a tenth of the wait, at most a minute")
  void spacesByTheDistanceToTheFront() {
    assertThat(PagePolls.seconds(admitting(600), 5, 0)).isEqualTo(2);
    assertThat(PagePolls.seconds(admitting(600), 500, 0)).isEqualTo(5);
    assertThat(PagePolls.seconds(admitting(600), 100_000, 0)).isEqualTo(60);
  }

  @Test
  @DisplayName("the measured rate replaces the configured one once ten seconds of it are known")
  void usesTheMeasuredRate() {
    JsonObject state = admitting(600).put("admissionRatePerMinute", 60.0).put("rateWindowSeconds", 10);
    assertThat(PagePolls.seconds(state, 50, 0)).isEqualTo(5);
    assertThat(PagePolls.seconds(state.put("rateWindowSeconds", 9), 50, 0)).isEqualTo(2);
  }

  @Test
  @DisplayName("waiting for tickets or paused: the document's own refreshSeconds")
  void waitingForTicketsUsesTheDocumentsPeriod() {
    JsonObject state = new JsonObject().put("state", "waiting_for_tickets").put("refreshSeconds", 5)
        .put("configuredRatePerMinute", 60);
    assertThat(PagePolls.seconds(state, 10_000, 0)).isEqualTo(5);
  }

  @Test
  @DisplayName("before the sale: the first poll lands in the few seconds after the start")
  void spreadsTheFirstPollOfTheSale() {
    JsonObject state = new JsonObject().put("state", "prequeue").put("refreshSeconds", 5)
        .put("saleStartsAt", "2027-01-01T10:00:03Z").put("serverTime", "2027-01-01T10:00:00Z");
    assertThat(PagePolls.seconds(state, 1, 0)).isEqualTo(3);
    assertThat(PagePolls.seconds(state, 1, 0.5)).isEqualTo(4.5);
  }

  @Test
  @DisplayName("the turn may have come once the number is served, never before the sale")
  void asksItsStatusOnlyWhenServed() {
    JsonObject state = admitting(600).put("preQueue", "fifo");
    assertThat(PagePolls.turnMayHaveCome(state, 10, 9)).isFalse();
    assertThat(PagePolls.turnMayHaveCome(state, 10, 10)).isTrue();
    assertThat(PagePolls.turnMayHaveCome(state.copy().put("state", "prequeue"), 1, 10)).isFalse();
    assertThat(PagePolls.turnMayHaveCome(state.copy().put("preQueue", "random"), 10, 0)).isTrue();
  }
}
