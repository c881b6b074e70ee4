package dev.onsale.common;

import io.vertx.core.json.JsonObject;

/**
 * A failure that is the caller's to fix (or to retry): it becomes
 * {@code {"error": code, "message": text, ...details}} with its 4xx (or 503) status.
 */
public class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final JsonObject details;
  private final Integer retryAfterSeconds;

  public ApiException(int status, String code, String message) {
    this(status, code, message, null, null);
  }

  public ApiException(int status, String code, String message, JsonObject details, Integer retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }

  public static ApiException invalid(String field, String message) {
    return new ApiException(400, "invalid_field", field + ": " + message, new JsonObject().put("field", field), null);
  }

  public static ApiException notFound(String what) {
    return new ApiException(404, "not_found", what + " not found");
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message);
  }

  public static ApiException conflict(String code, String message) {
    return new ApiException(409, code, message);
  }

  public static ApiException unavailable(String code, String message, int retryAfterSeconds) {
    return new ApiException(503, code, message, null, retryAfterSeconds);
  }

  public ApiException withDetails(JsonObject more) {
    JsonObject merged = details == null ? more.copy() : details.copy().mergeIn(more);
    return new ApiException(status, code, getMessage(), merged, retryAfterSeconds);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public JsonObject body() {
    JsonObject body = new JsonObject().put("error", code).put("message", getMessage());
    if (details != null) {
      body.mergeIn(details);
    }
    return body;
  }
}
