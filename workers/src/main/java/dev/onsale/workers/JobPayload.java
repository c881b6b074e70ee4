package dev.onsale.workers;

import dev.onsale.common.Job;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Reads the fields a job needs; a missing one is a permanent failure (retrying cannot help). */
final class JobPayload {
  private final Job job;
  private final JsonObject json;

  JobPayload(Job job) {
    this.job = job;
    this.json = job.payload();
  }

  long requireLong(String field) {
    Object value = json.getValue(field);
    if (value instanceof Number number) {
      return number.longValue();
    }
    if (value instanceof String text && text.matches("\\d{1,18}")) {
      return Long.parseLong(text);
    }
    throw JobFailures.permanent("job " + job.id() + " (" + job.type() + "): payload field " + field + " is missing or not a number");
  }

  String requireString(String field) {
    Object value = json.getValue(field);
    if (value instanceof String text && !text.isEmpty()) {
      return text;
    }
    throw JobFailures.permanent("job " + job.id() + " (" + job.type() + "): payload field " + field + " is missing");
  }

  JsonArray requireArray(String field) {
    Object value = json.getValue(field);
    if (value instanceof JsonArray array) {
      return array;
    }
    throw JobFailures.permanent("job " + job.id() + " (" + job.type() + "): payload field " + field + " is missing or not an array");
  }
}
