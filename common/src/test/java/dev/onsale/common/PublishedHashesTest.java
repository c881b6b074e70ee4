package dev.onsale.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the sale core publishes for the waiting room and ops reads back as it was written. */
class PublishedHashesTest {

  static final EventMeta MEET = new EventMeta(7, "meet", "Meet & Greet", "Hall 1", 1_800_000_000_000L, 1_700_000_000_000L,
      1_700_000_060_000L, 1_800_000_000_000L, 1200, 300, 4, 480, true, true, false, "Europe/Berlin", 900, true, 19);

  @Test
  @DisplayName("an event's meta hash reads back as the event written")
  void metaRoundTrips() {
    assertThat(EventMeta.fromHash(7, MEET.toHash())).isEqualTo(MEET);
    EventMeta plain = new EventMeta(8, "plain", "Plain", "Yard", 1, 2, 3, 4, 60, 10, 6, 600, false, false, true, "UTC", 0,
        false, 17);
    assertThat(EventMeta.fromHash(8, plain.toHash())).isEqualTo(plain);
  }

  @Test
  @DisplayName("a meta hash from an older publisher, without the newer fields, reads with their defaults")
  void olderMetaReadsWithDefaults() {
    Map<String, String> older = new HashMap<>(MEET.toHash());
    older.remove(EventMeta.JOIN_CHALLENGE);
    older.remove(EventMeta.POW_DIFFICULTY);
    older.remove(EventMeta.TIME_ZONE);
    older.remove(EventMeta.PAYMENT_SECONDS);
    older.put(EventMeta.HOLD_SECONDS, " 480.0 ");
    EventMeta read = EventMeta.fromHash(7, older);
    assertThat(read.powJoin()).isFalse();
    assertThat(read.powDifficulty()).isEqualTo(EventMeta.DEFAULT_POW_DIFFICULTY);
    assertThat(read.timeZone()).isEqualTo("UTC");
    assertThat(read.holdSeconds()).isEqualTo(480);
    assertThat(read.saleStartsAt()).isEqualTo(MEET.saleStartsAt());
  }

  @Test
  @DisplayName("availability reads back with every category, and reads as nothing until it has been published")
  void availabilityRoundTrips() {
    EventAvailability published = new EventAvailability(100, 40, 20, 10, 30, 1_700_000_100_000L, 1_700_000_000_500L,
        Map.of(11L, 25L, 12L, 15L));
    assertThat(EventAvailability.fromHash(published.toHash())).isEqualTo(published);
    assertThat(published.toHash()).containsEntry("cat:11", "25");
    assertThat(EventAvailability.fromHash(Map.of())).isNull();
    assertThat(EventAvailability.fromHash(Map.of(EventAvailability.UPDATED_AT, "5"))).isNull();
  }
}
