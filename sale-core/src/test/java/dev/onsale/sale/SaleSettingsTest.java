package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.onsale.common.OnsaleConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Sale settings")
class SaleSettingsTest {

  @Test
  @DisplayName("unset, reservations are batched by 64 with 20,000 waiting and X-Forwarded-For is not trusted")
  void defaults() {
    SaleSettings s = SaleSettings.of(OnsaleConfig.fromMap(Map.of()));
    assertThat(s).isEqualTo(new SaleSettings(false, 64, 20_000));
    assertThat(s.batching()).isTrue();
  }

  @Test
  @DisplayName("each setting is read by its name")
  void reads() {
    SaleSettings s = SaleSettings.of(OnsaleConfig.fromMap(Map.of(
        "ONSALE_TRUST_FORWARDED_FOR", "TRUE",
        "ONSALE_RESERVATION_BATCH_SIZE", " 16 ",
        "ONSALE_RESERVATION_QUEUE_LIMIT", "500")));
    assertThat(s).isEqualTo(new SaleSettings(true, 16, 500));
  }

  @Test
  @DisplayName("a batch size of 1 turns batching off, and the queue limit beside it is not read")
  void batchingOff() {
    SaleSettings s = SaleSettings.of(OnsaleConfig.fromMap(Map.of(
        "ONSALE_RESERVATION_BATCH_SIZE", "1", "ONSALE_RESERVATION_QUEUE_LIMIT", "many")));
    assertThat(s.batching()).isFalse();
  }

  @Test
  @DisplayName("a number that is not one stops the start with a message naming the setting")
  void rejectsNonsense() {
    assertThatThrownBy(() -> SaleSettings.of(OnsaleConfig.fromMap(Map.of("ONSALE_RESERVATION_BATCH_SIZE", "lots"))))
        .hasMessage("ONSALE_RESERVATION_BATCH_SIZE must be a whole number, not 'lots'");
    assertThatThrownBy(() -> SaleSettings.of(OnsaleConfig.fromMap(Map.of("ONSALE_RESERVATION_QUEUE_LIMIT", "many"))))
        .hasMessage("ONSALE_RESERVATION_QUEUE_LIMIT must be a whole number, not 'many'");
  }
}
