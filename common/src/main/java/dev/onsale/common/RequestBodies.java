package dev.onsale.common;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Strict readers for JSON request bodies: a wrong type, a missing field or a number out of range is
 * a 400 naming the field, never a 500 or a silent default.
 */
public final class RequestBodies {

  private RequestBodies() {}

  /**
   * The body as a JSON object: the value {@link JsonBodies} already read strictly, or (on a path
   * that takes raw bodies) the body read now by the same strict rules, content type aside.
   */
  public static JsonObject object(RoutingContext ctx) {
    Object parsed;
    if (ctx.data().containsKey(JsonBodies.PARSED)) {
      parsed = ctx.get(JsonBodies.PARSED);
    } else {
      Buffer body = ctx.body().buffer();
      if (body == null || body.length() == 0) {
        throw ApiException.badRequest("missing_body", "a JSON object body is required");
      }
      parsed = JsonBodies.parse(body);
    }
    if (!(parsed instanceof JsonObject json)) {
      throw ApiException.badRequest("malformed_json", "the request body must be a JSON object");
    }
    return json;
  }

  /** Rejects fields the endpoint does not know, so that a typo is not silently ignored. */
  public static void onlyFields(JsonObject json, Set<String> allowed, String where) {
    for (String name : json.fieldNames()) {
      if (!allowed.contains(name)) {
        throw ApiException.invalid(where.isEmpty() ? name : where + "." + name, "unknown field");
      }
    }
  }

  /**
   * An optional field's value, {@code null} when the field is absent. No field of the API takes
   * {@code null}: sending it is a 400, never read as "absent" (leave the field out instead).
   */
  public static Object present(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null && json.containsKey(field)) {
      throw ApiException.invalid(field, "must not be null (leave the field out instead)");
    }
    return value;
  }

  public static String requireString(JsonObject json, String field, int minLength, int maxLength) {
    Object value = json.getValue(field);
    if (value == null) {
      throw ApiException.invalid(field, "is required");
    }
    return checkString(field, value, minLength, maxLength);
  }

  public static String optionalString(JsonObject json, String field, int maxLength, String fallback) {
    Object value = present(json, field);
    return value == null ? fallback : checkString(field, value, 0, maxLength);
  }

  private static String checkString(String field, Object value, int minLength, int maxLength) {
    if (!(value instanceof String text)) {
      throw ApiException.invalid(field, "must be a string");
    }
    TextRules.require(field, text);
    String trimmed = text.strip();
    if (trimmed.length() < minLength) {
      throw ApiException.invalid(field, minLength <= 1 ? "must not be empty" : "must have at least " + minLength + " characters");
    }
    if (trimmed.length() > maxLength) {
      throw ApiException.invalid(field, "must have at most " + maxLength + " characters");
    }
    return trimmed;
  }

  public static long requireLong(JsonObject json, String field, long min, long max) {
    Object value = json.getValue(field);
    if (value == null) {
      throw ApiException.invalid(field, "is required");
    }
    return checkLong(field, value, min, max);
  }

  public static long optionalLong(JsonObject json, String field, long min, long max, long fallback) {
    Object value = present(json, field);
    return value == null ? fallback : checkLong(field, value, min, max);
  }

  public static int requireInt(JsonObject json, String field, int min, int max) {
    return (int) requireLong(json, field, min, max);
  }

  public static int optionalInt(JsonObject json, String field, int min, int max, int fallback) {
    return (int) optionalLong(json, field, min, max, fallback);
  }

  private static long checkLong(String field, Object value, long min, long max) {
    if (!(value instanceof Number number)) {
      throw ApiException.invalid(field, "must be a whole number");
    }
    if (value instanceof Double || value instanceof Float || value instanceof java.math.BigDecimal) {
      double d = number.doubleValue();
      if (d != Math.rint(d) || Double.isInfinite(d)) {
        throw ApiException.invalid(field, "must be a whole number");
      }
    }
    if (value instanceof java.math.BigInteger big && big.bitLength() > 63) {
      throw ApiException.invalid(field, "must be between " + min + " and " + max);
    }
    double asDouble = number.doubleValue();
    if (asDouble < min || asDouble > max) {
      throw ApiException.invalid(field, "must be between " + min + " and " + max);
    }
    return number.longValue();
  }

  /**
   * A moment: an ISO-8601 instant ({@code 2026-12-01T18:00:00Z}, or with an offset), or a local
   * date-time without one ({@code 2026-12-01T19:00}) read in {@code zone}, refused when the clocks
   * skip it or pass it twice there ({@link LocalTimes#resolve}).
   */
  public static Instant requireInstant(JsonObject json, String field, ZoneId zone) {
    Object value = json.getValue(field);
    if (value == null) {
      throw ApiException.invalid(field, "is required");
    }
    return checkInstant(field, value, zone);
  }

  public static Instant optionalInstant(JsonObject json, String field, ZoneId zone, Instant fallback) {
    Object value = present(json, field);
    return value == null ? fallback : checkInstant(field, value, zone);
  }

  private static Instant checkInstant(String field, Object value, ZoneId zone) {
    String expected = "must be an ISO-8601 instant such as 2026-12-01T18:00:00Z, or a local time such as "
        + "2026-12-01T19:00 in the event's time zone";
    if (!(value instanceof String text) || text.length() > 40) {
      throw ApiException.invalid(field, expected);
    }
    Instant instant;
    try {
      instant = OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException withoutOffset) {
      try {
        instant = LocalTimes.resolve(LocalDateTime.parse(text), zone);
      } catch (DateTimeParseException e) {
        throw ApiException.invalid(field, expected);
      } catch (DateTimeException e) {
        throw ApiException.invalid(field, e.getMessage());
      }
    }
    if (instant.getEpochSecond() < 0 || instant.isAfter(Instant.parse("9999-01-01T00:00:00Z"))) {
      throw ApiException.invalid(field, "is out of range");
    }
    return instant;
  }

  public static boolean optionalBoolean(JsonObject json, String field, boolean fallback) {
    Object value = present(json, field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean b)) {
      throw ApiException.invalid(field, "must be true or false");
    }
    return b;
  }

  public static JsonArray requireArray(JsonObject json, String field, int minSize, int maxSize) {
    Object value = json.getValue(field);
    if (value == null) {
      throw ApiException.invalid(field, "is required");
    }
    if (!(value instanceof JsonArray array)) {
      throw ApiException.invalid(field, "must be an array");
    }
    if (array.size() < minSize || array.size() > maxSize) {
      throw ApiException.invalid(field, "must have between " + minSize + " and " + maxSize + " entries");
    }
    return array;
  }

  public static JsonObject requireObject(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      throw ApiException.invalid(field, "is required");
    }
    if (!(value instanceof JsonObject object)) {
      throw ApiException.invalid(field, "must be an object");
    }
    return object;
  }

  public static JsonObject objectAt(JsonArray array, int index, String field) {
    Object value = array.getValue(index);
    if (!(value instanceof JsonObject object)) {
      throw ApiException.invalid(field + "[" + index + "]", "must be an object");
    }
    return object;
  }

  /** A positive id from a path parameter; anything else is a 404, as no such resource exists. */
  public static long pathId(RoutingContext ctx, String name, String what) {
    String raw = ctx.pathParam(name);
    if (raw == null || raw.isEmpty() || raw.length() > 18 || !raw.chars().allMatch(Character::isDigit)) {
      throw ApiException.notFound(what);
    }
    long id = Long.parseLong(raw);
    if (id <= 0) {
      throw ApiException.notFound(what);
    }
    return id;
  }
}
