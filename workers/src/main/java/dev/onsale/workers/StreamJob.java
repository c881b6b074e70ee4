package dev.onsale.workers;

import dev.onsale.common.Job;
import dev.onsale.common.JobQueue;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A job as it sits on its stream: the {@link Job} envelope, the stream entry id it was read under
 * and when its outbox row was written (retries stop after the queue's retry period from then).
 */
public record StreamJob(String entryId, Job job, long createdAt) {

  public static final String FIELD_CREATED_AT = Job.FIELD_CREATED_AT;

  /** The field/value pairs of the stream entry (and of a delayed retry). */
  public static List<String> fields(Job job, long createdAt) {
    List<String> fields = new ArrayList<>(10);
    fields.add(Job.FIELD_ID);
    fields.add(String.valueOf(job.id()));
    fields.add(Job.FIELD_TYPE);
    fields.add(job.type());
    fields.add(Job.FIELD_PAYLOAD);
    fields.add(job.payload().encode());
    fields.add(Job.FIELD_ATTEMPT);
    fields.add(String.valueOf(job.attempt()));
    fields.add(FIELD_CREATED_AT);
    fields.add(String.valueOf(createdAt));
    return fields;
  }

  /** Decodes one RESP2 entry {@code [id, [field, value, ...]]}; a malformed one throws. */
  public static StreamJob parse(JobQueue queue, Response entry) {
    String entryId = entry.get(0).toString();
    Response pairs = entry.get(1);
    Map<String, String> fields = new HashMap<>();
    for (int i = 0; pairs != null && i + 1 < pairs.size(); i += 2) {
      fields.put(pairs.get(i).toString(), pairs.get(i + 1).toString());
    }
    Job job = new Job(
        Long.parseLong(require(fields, Job.FIELD_ID, entryId)),
        queue,
        require(fields, Job.FIELD_TYPE, entryId),
        new JsonObject(require(fields, Job.FIELD_PAYLOAD, entryId)),
        Integer.parseInt(fields.getOrDefault(Job.FIELD_ATTEMPT, "1")));
    long createdAt = Long.parseLong(fields.getOrDefault(FIELD_CREATED_AT, String.valueOf(System.currentTimeMillis())));
    return new StreamJob(entryId, job, createdAt);
  }

  private static String require(Map<String, String> fields, String name, String entryId) {
    String value = fields.get(name);
    if (value == null) {
      throw new IllegalArgumentException("stream entry " + entryId + " has no field " + name);
    }
    return value;
  }

  /** The member a delayed retry is kept under in the queue's delay set (every value a string). */
  public String delayedMember(Job retry) {
    return new JsonObject()
        .put(Job.FIELD_ID, String.valueOf(retry.id()))
        .put(Job.FIELD_TYPE, retry.type())
        .put(Job.FIELD_PAYLOAD, retry.payload().encode())
        .put(Job.FIELD_ATTEMPT, String.valueOf(retry.attempt()))
        .put(FIELD_CREATED_AT, String.valueOf(createdAt))
        .encode();
  }
}
