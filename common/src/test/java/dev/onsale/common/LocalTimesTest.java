package dev.onsale.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Local times in an event's zone")
class LocalTimesTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");

  @Test
  @DisplayName("an ordinary local time is one instant, in winter and in summer, north and south")
  void ordinaryTimes() {
    assertThat(resolve("2027-03-20T20:00", BERLIN)).isEqualTo("2027-03-20T19:00:00Z");
    assertThat(resolve("2027-07-15T20:00", BERLIN)).isEqualTo("2027-07-15T18:00:00Z");
    assertThat(resolve("2027-01-15T20:00", SYDNEY)).isEqualTo("2027-01-15T09:00:00Z"); // summer: AEDT, +11
    assertThat(resolve("2027-07-15T20:00", SYDNEY)).isEqualTo("2027-07-15T10:00:00Z"); // winter: AEST, +10
  }

  @Test
  @DisplayName("the last second before a change and the first after it are one instant each")
  void edgesOfTheChanges() {
    assertThat(resolve("2027-03-28T01:59:59", BERLIN)).isEqualTo("2027-03-28T00:59:59Z");
    assertThat(resolve("2027-03-28T03:00", BERLIN)).isEqualTo("2027-03-28T01:00:00Z");
    assertThat(resolve("2027-10-31T01:59:59", BERLIN)).isEqualTo("2027-10-30T23:59:59Z");
    assertThat(resolve("2027-10-31T03:00", BERLIN)).isEqualTo("2027-10-31T02:00:00Z");
  }

  @Test
  @DisplayName("a local time the clocks jump over in spring is refused, naming the instants just before and after the gap")
  void gap() {
    assertThatThrownBy(() -> resolve("2027-03-28T02:30", BERLIN))
        .isInstanceOf(DateTimeException.class)
        .hasMessage("02:30 does not exist on 28 Mar 2027 in Europe/Berlin, where the clocks jump from "
            + "01:59:59 CET = 00:59:59 UTC to 03:00 CEST = 01:00 UTC: pick a time before 02:00 or from 03:00 on");
    assertThatThrownBy(() -> resolve("2027-03-28T02:00", BERLIN)).hasMessageStartingWith("02:00 does not exist");
    assertThatThrownBy(() -> resolve("2027-03-28T02:59:30", BERLIN)).hasMessageStartingWith("02:59:30 does not exist");
    // Sydney's spring is in October; the UTC side is the day before.
    assertThatThrownBy(() -> resolve("2027-10-03T02:30", SYDNEY))
        .hasMessage("02:30 does not exist on 3 Oct 2027 in Australia/Sydney, where the clocks jump from "
            + "01:59:59 AEST = 15:59:59 UTC on 2 Oct to 03:00 AEDT = 16:00 UTC on 2 Oct: pick a time before 02:00 or from 03:00 on");
  }

  @Test
  @DisplayName("a local time that happens twice in autumn is refused, naming both instants")
  void overlap() {
    assertThatThrownBy(() -> resolve("2027-10-31T02:30", BERLIN))
        .isInstanceOf(DateTimeException.class)
        .hasMessage("02:30 happens twice on 31 Oct 2027 in Europe/Berlin (02:30 CEST = 00:30 UTC and 02:30 CET = 01:30 UTC): "
            + "pick a time before 02:00 or from 03:00 on");
    assertThatThrownBy(() -> resolve("2027-10-31T02:00", BERLIN)).hasMessageStartingWith("02:00 happens twice");
    assertThatThrownBy(() -> resolve("2027-04-04T02:30", SYDNEY))
        .hasMessage("02:30 happens twice on 4 Apr 2027 in Australia/Sydney (02:30 AEDT = 15:30 UTC on 3 Apr and "
            + "02:30 AEST = 16:30 UTC on 3 Apr): pick a time before 02:00 or from 03:00 on");
  }

  @Test
  @DisplayName("a zone without daylight saving never refuses")
  void utc() {
    assertThat(resolve("2027-03-28T02:30", ZoneId.of("UTC"))).isEqualTo("2027-03-28T02:30:00Z");
    assertThat(resolve("2027-10-31T02:30", ZoneId.of("Asia/Tokyo"))).isEqualTo("2027-10-30T17:30:00Z");
  }

  @Test
  @DisplayName("a moment is shown in the zone's local time, with its abbreviation then and its name")
  void format() {
    assertThat(LocalTimes.format(Instant.parse("2027-03-20T19:00:00Z"), BERLIN)).isEqualTo("Sat 20 Mar 2027, 20:00 CET (Europe/Berlin)");
    assertThat(LocalTimes.format(Instant.parse("2027-07-15T18:00:00Z"), BERLIN)).isEqualTo("Thu 15 Jul 2027, 20:00 CEST (Europe/Berlin)");
    assertThat(LocalTimes.format(Instant.parse("2027-01-15T09:00:00Z"), SYDNEY)).isEqualTo("Fri 15 Jan 2027, 20:00 AEDT (Australia/Sydney)");
    assertThat(LocalTimes.format(Instant.parse("2026-12-31T20:00:00Z"), ZoneId.of("UTC"))).isEqualTo("Thu 31 Dec 2026, 20:00 UTC");
  }

  private static String resolve(String local, ZoneId zone) {
    return LocalTimes.resolve(LocalDateTime.parse(local), zone).toString();
  }
}
