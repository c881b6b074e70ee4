package dev.onsale.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.onsale.common.JobQueue;
import dev.onsale.common.OnsaleConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Stream and housekeeping settings")
class StreamSettingsTest {

  @Test
  @DisplayName("unset, streams keep a million entries, dead letters 100,000, and an appended row is remembered a day")
  void streamDefaults() {
    assertThat(StreamSettings.of(OnsaleConfig.fromMap(Map.of())))
        .isEqualTo(new StreamSettings(1_000_000, 100_000, 86_400_000));
  }

  @Test
  @DisplayName("each stream setting is read by its name, seconds turned into milliseconds")
  void streamReads() {
    assertThat(StreamSettings.of(OnsaleConfig.fromMap(Map.of(
        "ONSALE_STREAM_MAXLEN", "5000", "ONSALE_DEAD_LETTER_MAXLEN", "50", "ONSALE_RELAY_DEDUPE_SECONDS", "60"))))
        .isEqualTo(new StreamSettings(5000, 50, 60_000));
  }

  @Test
  @DisplayName("housekeeping runs every five minutes unless told otherwise, keeps media under 10 GiB and webhook records past their retries")
  void housekeeping() {
    OnsaleConfig config = OnsaleConfig.fromMap(Map.of("ONSALE_HOUSEKEEPING_SECONDS", "30", "ONSALE_QUEUE_WEBHOOKS_RETRY_SECONDS", "600"));
    assertThat(HousekeepingSettings.of(config)).isEqualTo(new HousekeepingSettings(30_000, 10L * 1024 * 1024 * 1024, 600_000));
    HousekeepingSettings defaults = HousekeepingSettings.of(OnsaleConfig.fromMap(Map.of()));
    assertThat(defaults.periodMillis()).isEqualTo(300_000);
    assertThat(defaults.webhookRetryMillis())
        .isEqualTo(QueueSettings.of(OnsaleConfig.fromMap(Map.of()), JobQueue.WEBHOOKS).retryPeriodMillis());
  }

  @Test
  @DisplayName("a number that is not one stops the start with a message naming the setting")
  void rejectsNonsense() {
    assertThatThrownBy(() -> StreamSettings.of(OnsaleConfig.fromMap(Map.of("ONSALE_STREAM_MAXLEN", "big"))))
        .hasMessage("ONSALE_STREAM_MAXLEN must be a whole number, not 'big'");
    assertThatThrownBy(() -> HousekeepingSettings.of(OnsaleConfig.fromMap(Map.of("ONSALE_MEDIA_MAX_BYTES", "10G"))))
        .hasMessage("ONSALE_MEDIA_MAX_BYTES must be a whole number, not '10G'");
  }
}
