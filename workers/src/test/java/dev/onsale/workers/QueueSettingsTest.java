package dev.onsale.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.onsale.common.JobQueue;
import dev.onsale.common.OnsaleConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Queue settings")
class QueueSettingsTest {

  @Test
  @DisplayName("each queue reads its own ONSALE_QUEUE_<QUEUE>_* settings, with defaults")
  void perQueueSettings() {
    OnsaleConfig config = OnsaleConfig.fromMap(Map.of(
        "ONSALE_QUEUE_MAIL_CONCURRENCY", "7",
        "ONSALE_QUEUE_MAIL_TIMEOUT_SECONDS", "9",
        "ONSALE_QUEUE_MAIL_MAX_ATTEMPTS", "3",
        "ONSALE_QUEUE_MAIL_RECLAIM_IDLE_SECONDS", "42"));
    QueueSettings mail = QueueSettings.of(config, JobQueue.MAIL);
    assertThat(mail.concurrency()).isEqualTo(7);
    assertThat(mail.timeoutMillis()).isEqualTo(9000);
    assertThat(mail.maxAttempts()).isEqualTo(3);
    assertThat(mail.reclaimIdleMillis()).isEqualTo(42_000);
    QueueSettings tickets = QueueSettings.of(config, JobQueue.TICKETS);
    assertThat(tickets.concurrency()).isEqualTo(2);
    assertThat(tickets.reclaimIdleMillis()).isGreaterThan(tickets.timeoutMillis());
  }

  @Test
  @DisplayName("back-off doubles with each try up to its cap")
  void backoff() {
    QueueSettings s = QueueSettings.of(OnsaleConfig.fromMap(Map.of(
        "ONSALE_QUEUE_WEBHOOKS_BACKOFF_MS", "1000", "ONSALE_QUEUE_WEBHOOKS_BACKOFF_MAX_SECONDS", "10")), JobQueue.WEBHOOKS);
    assertThat(s.backoffAfter(1)).isEqualTo(1000);
    assertThat(s.backoffAfter(2)).isEqualTo(2000);
    assertThat(s.backoffAfter(4)).isEqualTo(8000);
    assertThat(s.backoffAfter(5)).isEqualTo(10_000);
    assertThat(s.backoffAfter(500)).isEqualTo(10_000);
  }

  @Test
  @DisplayName("a nonsensical setting stops the start with a message naming it")
  void rejectsNonsense() {
    assertThatThrownBy(() -> QueueSettings.of(OnsaleConfig.fromMap(Map.of("ONSALE_QUEUE_TICKETS_CONCURRENCY", "0")), JobQueue.TICKETS))
        .hasMessageContaining("ONSALE_QUEUE_TICKETS_CONCURRENCY");
    assertThatThrownBy(() -> QueueSettings.of(OnsaleConfig.fromMap(Map.of("ONSALE_QUEUE_MAIL_TIMEOUT_SECONDS", "soon")), JobQueue.MAIL))
        .hasMessageContaining("ONSALE_QUEUE_MAIL_TIMEOUT_SECONDS");
  }
}
