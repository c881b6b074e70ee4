package dev.onsale.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/**
 * One HTTP answer as the buyer sees it. A transport failure (refused, reset, timed out) is status
 * 0 with the reason in {@code problem}, so that the flow handles every outcome in one place.
 */
record Reply(int status, JsonObject body, Integer retryAfterSeconds, String problem) {

  static Reply of(HttpResponse<Buffer> response) {
    JsonObject body = null;
    Buffer buffer = response.body();
    if (buffer != null && buffer.length() > 0 && buffer.getByte(0) == '{') {
      try {
        body = buffer.toJsonObject();
      } catch (RuntimeException ignored) {
        // Not JSON after all: the status alone tells the story.
      }
    }
    Integer retryAfter = null;
    String header = response.getHeader("Retry-After");
    if (header != null) {
      try {
        retryAfter = Integer.parseInt(header.trim());
      } catch (NumberFormatException ignored) {
        retryAfter = 1;
      }
    }
    return new Reply(response.statusCode(), body == null ? new JsonObject() : body, retryAfter, null);
  }

  static Reply failed(Throwable failure) {
    String name = failure.getClass().getSimpleName();
    String kind = name.contains("Timeout") || String.valueOf(failure.getMessage()).contains("timeout")
        ? "timeout" : "io";
    return new Reply(0, new JsonObject(), null, kind);
  }

  boolean ok() {
    return status >= 200 && status < 300;
  }

  String errorCode() {
    return body.getString("error", "");
  }

  /** The label errors are counted under: the status, or {@code io}/{@code timeout}. */
  String label() {
    if (status == 0) {
      return problem;
    }
    String code = errorCode();
    return code.isEmpty() ? String.valueOf(status) : status + " " + code;
  }

  /** Overload or rate limit: the server asks the buyer to come back. */
  boolean retryable() {
    return status == 0 || status == 429 || status == 503;
  }
}
