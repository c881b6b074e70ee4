package dev.onsale.common;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Small helpers for the JSON the API writes. */
public final class Json {

  private Json() {}

  /** ISO-8601 in UTC with millisecond precision, the form every timestamp in the API takes. */
  public static String instant(Instant instant) {
    return instant == null ? null : DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  }

  public static String instant(OffsetDateTime time) {
    return time == null ? null : instant(time.toInstant());
  }

  public static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
