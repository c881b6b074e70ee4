package dev.onsale.common;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;

/**
 * An event's times in its own zone (DESIGN.md, "Time"): shown with the zone named, on a 24-hour
 * clock, and entered as local wall-clock times, where a local time that does not exist (the clocks
 * jump over it in spring) or happens twice (they go back over it in autumn) is refused in words
 * that name the instants on both sides. The organizer page does the same check in JavaScript
 * ({@code ops-webroot/localtime.js}) before it sends anything.
 */
public final class LocalTimes {

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm", Locale.ENGLISH);
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH);
  private static final DateTimeFormatter SHORT_DAY = DateTimeFormatter.ofPattern("d MMM", Locale.ENGLISH);
  private static final DateTimeFormatter ZONE_NAME = DateTimeFormatter.ofPattern("zzz", Locale.ENGLISH);
  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");
  private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss");

  private LocalTimes() {}

  /**
   * "Sat 20 Mar 2027, 20:00 CET (Europe/Berlin)": the local time, the zone's abbreviation at that
   * moment and its IANA name; "Thu 31 Dec 2026, 20:00 UTC" for UTC.
   */
  public static String format(Instant instant, ZoneId zone) {
    ZonedDateTime local = instant.atZone(zone);
    String abbreviation = ZONE_NAME.format(local);
    String text = WHEN.format(local) + " " + abbreviation;
    return zone.normalized().equals(ZoneOffset.UTC) ? text : text + " (" + zone.getId() + ")";
  }

  /**
   * The one instant a local time names in {@code zone}.
   *
   * @throws DateTimeException when the local time falls in a daylight-saving gap or overlap, with a
   *     message that says so in words, e.g. "02:30 happens twice on 31 Oct 2027 in Europe/Berlin
   *     (02:30 CEST = 00:30 UTC and 02:30 CET = 01:30 UTC): pick a time before 02:00 or from 03:00 on"
   */
  public static Instant resolve(LocalDateTime local, ZoneId zone) {
    ZoneRules rules = zone.getRules();
    if (rules.getValidOffsets(local).size() == 1) {
      return local.atZone(zone).toInstant();
    }
    ZoneOffsetTransition change = rules.getTransition(local);
    LocalDate day = local.toLocalDate();
    // The local times the change skips or repeats: [02:00, 03:00) at both of Berlin's changes.
    boolean gap = change.isGap();
    LocalTime from = (gap ? change.getDateTimeBefore() : change.getDateTimeAfter()).toLocalTime();
    LocalTime until = (gap ? change.getDateTimeAfter() : change.getDateTimeBefore()).toLocalTime();
    String what = clock(local.toLocalTime()) + (gap ? " does not exist on " : " happens twice on ")
        + DAY.format(day) + " in " + zone.getId();
    String instants = gap
        ? ", where the clocks jump from " + moment(change.getInstant().minusSeconds(1), zone, day)
            + " to " + moment(change.getInstant(), zone, day)
        : " (" + moment(local.atOffset(change.getOffsetBefore()).toInstant(), zone, day)
            + " and " + moment(local.atOffset(change.getOffsetAfter()).toInstant(), zone, day) + ")";
    throw new DateTimeException(what + instants + ": pick a time before " + clock(from) + " or from " + clock(until) + " on");
  }

  /** "01:59:59 CET = 00:59:59 UTC", the UTC day added when it is not {@code day}. */
  private static String moment(Instant instant, ZoneId zone, LocalDate day) {
    ZonedDateTime local = instant.atZone(zone);
    LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    return clock(local.toLocalTime()) + " " + ZONE_NAME.format(local) + " = " + clock(utc.toLocalTime()) + " UTC"
        + (utc.toLocalDate().equals(day) ? "" : " on " + SHORT_DAY.format(utc));
  }

  /** "02:30", or "02:30:15" when the seconds are not zero: the 24-hour clock, as the page shows it. */
  private static String clock(LocalTime time) {
    return (time.getSecond() == 0 ? HH_MM : HH_MM_SS).format(time);
  }
}
