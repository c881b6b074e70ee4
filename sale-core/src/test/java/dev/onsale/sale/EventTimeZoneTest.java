package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An organizer's times in the event's own zone")
class EventTimeZoneTest {

  static SaleServer server;

  @BeforeAll
  static void start() {
    server = SaleServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("local times without an offset are read in the event's zone and answered as instants")
  void localTimesInTheZone() {
    JsonObject created = server.createEvent(berlin("tz-local")
        .put("queueOpensAt", "2027-03-20T19:00")
        .put("saleStartsAt", "2027-03-20T20:00:00")
        .put("saleEndsAt", "2027-07-01T12:00")
        .put("startsAt", "2027-08-01T20:00:00+02:00"));
    assertThat(created.getString("timeZone")).isEqualTo("Europe/Berlin");
    assertThat(created.getString("queueOpensAt")).isEqualTo("2027-03-20T18:00:00Z");
    assertThat(created.getString("saleStartsAt")).isEqualTo("2027-03-20T19:00:00Z");
    assertThat(created.getString("saleEndsAt")).isEqualTo("2027-07-01T10:00:00Z"); // summer time, +2
    assertThat(created.getString("startsAt")).isEqualTo("2027-08-01T18:00:00Z");

    // A change with a new zone reads its local times in the new zone.
    Answer moved = server.http.patch("/api/v1/admin/events/" + created.getLong("id"),
        new JsonObject().put("timeZone", "Australia/Sydney").put("saleEndsAt", "2027-07-01T12:00"), server.admin());
    assertThat(moved.status()).as(moved.raw().toString()).isEqualTo(200);
    assertThat(moved.json().getString("saleEndsAt")).isEqualTo("2027-07-01T02:00:00Z");
    assertThat(moved.json().getString("saleStartsAt")).isEqualTo("2027-03-20T19:00:00Z"); // not given: the same instant
  }

  @Test
  @DisplayName("a local time in a daylight-saving gap or overlap is refused, naming the instants on both sides, and nothing is stored")
  void gapAndOverlapRefused() {
    long before = server.sql("SELECT count(*) FROM events").iterator().next().getLong(0);
    Answer gap = server.http.post("/api/v1/admin/events", berlin("tz-gap").put("saleStartsAt", "2027-03-28T02:30"), server.admin());
    assertThat(gap.status()).isEqualTo(400);
    assertThat(gap.json().getString("field")).isEqualTo("saleStartsAt");
    assertThat(gap.json().getString("message")).isEqualTo("saleStartsAt: 02:30 does not exist on 28 Mar 2027 in Europe/Berlin, "
        + "where the clocks jump from 01:59:59 CET = 00:59:59 UTC to 03:00 CEST = 01:00 UTC: pick a time before 02:00 or from 03:00 on");

    Answer overlap = server.http.post("/api/v1/admin/events", berlin("tz-overlap").put("saleEndsAt", "2027-10-31T02:30"), server.admin());
    assertThat(overlap.status()).isEqualTo(400);
    assertThat(overlap.json().getString("message")).isEqualTo("saleEndsAt: 02:30 happens twice on 31 Oct 2027 in Europe/Berlin "
        + "(02:30 CEST = 00:30 UTC and 02:30 CET = 01:30 UTC): pick a time before 02:00 or from 03:00 on");

    // The same moment with its offset is one instant: accepted.
    Answer chosen = server.http.post("/api/v1/admin/events", berlin("tz-chosen").put("saleEndsAt", "2027-10-31T02:30+01:00"), server.admin());
    assertThat(chosen.status()).as(chosen.raw().toString()).isEqualTo(201);
    assertThat(chosen.json().getString("saleEndsAt")).isEqualTo("2027-10-31T01:30:00Z");

    Answer patched = server.http.patch("/api/v1/admin/events/" + chosen.json().getLong("id"),
        new JsonObject().put("queueOpensAt", "2027-03-28T02:15"), server.admin());
    assertThat(patched.status()).isEqualTo(400);
    assertThat(patched.json().getString("message")).startsWith("queueOpensAt: 02:15 does not exist on 28 Mar 2027 in Europe/Berlin");
    assertThat(server.sql("SELECT count(*) FROM events").iterator().next().getLong(0)).isEqualTo(before + 1);

    Answer nonsense = server.http.post("/api/v1/admin/events", berlin("tz-nonsense").put("startsAt", "next Friday"), server.admin());
    assertThat(nonsense.status()).isEqualTo(400);
    assertThat(nonsense.json().getString("message")).contains("2026-12-01T18:00:00Z", "2026-12-01T19:00");
  }

  private static JsonObject berlin(String slug) {
    return TestEvents.onSale(slug, 10).put("timeZone", "Europe/Berlin")
        .put("queueOpensAt", "2027-03-01T10:00").put("saleStartsAt", "2027-03-01T12:00")
        .put("saleEndsAt", "2027-11-30T12:00").put("startsAt", "2027-12-01T20:00");
  }
}
