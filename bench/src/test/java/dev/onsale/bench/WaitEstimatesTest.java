package dev.onsale.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("WaitEstimates: the wait a page showed against the wait that came")
class WaitEstimatesTest {

  private static JsonObject admitting(Double achievedPerMinute, int windowSeconds) {
    return new JsonObject().put("state", "admitting").put("configuredRatePerMinute", 600)
        .put("admissionRatePerMinute", achievedPerMinute).put("rateWindowSeconds", windowSeconds);
  }

  @Test
  @DisplayName("the page's wait: the configured rate until ten seconds are measured, then smoothed towards the achieved rate")
  void pageEstimateFollowsQueueJs() {
    WaitEstimates.PageEstimate page = new WaitEstimates.PageEstimate();
    // 120 ahead of number 220 at 600/min: 12 s.
    assertThat(page.seconds(admitting(null, 0), 220, 100)).isCloseTo(12.0, within(1e-9));
    // 300/min measured over 20 s: the rate moves 30 % of the way, 600 -> 510/min.
    assertThat(page.seconds(admitting(300.0, 20), 220, 100)).isCloseTo(120 * 60 / 510.0, within(1e-9));
    assertThat(page.seconds(new JsonObject().put("state", "paused").put("configuredRatePerMinute", 600), 220, 100)).isNull();
  }

  @Test
  @DisplayName("before the sale the page adds the time to its start, counted from the front of the line")
  void prequeueAddsTheTimeToTheStart() {
    JsonObject prequeue = new JsonObject().put("state", "prequeue").put("configuredRatePerMinute", 60)
        .put("saleStartsAt", "2026-12-02T10:00:30Z").put("serverTime", "2026-12-02T10:00:00Z");
    assertThat(new WaitEstimates.PageEstimate().seconds(prequeue, 5, 0)).isCloseTo(30 + 5.0, within(1e-9));
  }

  @Test
  @DisplayName("the actual wait runs to the earliest sighting of serving at or past the number; short waits are left out")
  void errorsAgainstTheServingTimeline() {
    WaitEstimates estimates = new WaitEstimates();
    estimates.servingSeen(0, 0);
    estimates.servingSeen(100, 20_000);
    estimates.servingSeen(250, 40_000);
    estimates.servingSeen(200, 45_000); // a late, stale sighting by another buyer
    // Number 200 was reached at 40 s (250 seen then). Predicted 30 s at 0: actual 40 s, error 25 %.
    estimates.predicted(200, 0, 30, true);
    // Predicted 20 s at 20 s: actual 20 s, error 0.
    estimates.predicted(200, 20_000, 20, false);
    // 5 s before the turn: left out.
    estimates.predicted(200, 35_000, 1, false);
    // Never reached in the run: left out.
    estimates.predicted(300, 0, 10, true);

    WaitEstimates.Summary summary = estimates.summary();
    assertThat(summary.predictions()).isEqualTo(4);
    assertThat(summary.counted()).isEqualTo(2);
    assertThat(summary.median()).isCloseTo(0.0, within(1e-9));
    assertThat(summary.p90()).isCloseTo(0.25, within(1e-9));
    assertThat(summary.firstCounted()).isEqualTo(1);
    assertThat(summary.firstMedian()).isCloseTo(0.25, within(1e-9));
    assertThat(estimates.reached().millis(101)).isEqualTo(40_000);
    assertThat(estimates.reached().millis(251)).isEqualTo(-1);
  }
}
