package dev.onsale.common;

import io.vertx.core.json.JsonObject;

/**
 * The envelope every job travels in, from the PostgreSQL outbox to its Redis stream. {@code id} is
 * the outbox row id: the natural key that makes a repeated job a no-op.
 */
public record Job(long id, JobQueue queue, String type, JsonObject payload, int attempt) {

  public static final String FIELD_ID = "id";
  public static final String FIELD_TYPE = "type";
  public static final String FIELD_PAYLOAD = "payload";
  public static final String FIELD_ATTEMPT = "attempt";
  /** Epoch ms the job's outbox row was written; in stream entries and in retries waiting for their time. */
  public static final String FIELD_CREATED_AT = "createdAt";

  public Job nextAttempt() {
    return new Job(id, queue, type, payload, attempt + 1);
  }
}
