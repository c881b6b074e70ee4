package dev.onsale.common;

import java.util.UUID;

/**
 * Every Redis key Onsale uses. Keys of one event share the hash tag {@code {event:42}}, keys of one
 * job queue {@code {jobs:tickets}}, so that a Redis Cluster keeps each group on one slot and the
 * multi-key scripts (which only ever touch one group) work there; every other script touches one key. A prefix per deployment (and per
 * test run) keeps deployments from seeing each other's data.
 */
public final class RedisKeys {

  private final String prefix;

  public RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  public String prefix() {
    return prefix;
  }

  public Event event(long eventId) {
    return new Event(prefix + "{event:" + eventId + "}:");
  }

  /** The stream a job queue lives on. */
  public String stream(JobQueue queue) {
    return queue(queue);
  }

  /** Where jobs go after their last failed try, with their error. */
  public String deadLetter(JobQueue queue) {
    return queue(queue) + ":dead";
  }

  /** Sorted set of a queue's jobs waiting for their next try (score: epoch ms when due). */
  public String delayed(JobQueue queue) {
    return queue(queue) + ":delayed";
  }

  /** Sorted set of a queue's recently failed tries (score: epoch ms of the failure), see {@link JobHealth}. */
  public String jobFailures(JobQueue queue) {
    return queue(queue) + ":failures";
  }

  /** String: epoch ms of the queue's latest successful job, see {@link JobHealth}. */
  public String jobLastSuccess(JobQueue queue) {
    return queue(queue) + ":last-success";
  }

  /**
   * Marker: the outbox row with this id is on its queue's stream (so a relay retry appends it once).
   * In the queue's hash slot, because the append writes it and the stream entry in one script.
   */
  public String appendedJob(JobQueue queue, long outboxId) {
    return queue(queue) + ":appended:" + outboxId;
  }

  /**
   * String: a random id of this queue's job data; a new one means the Redis node holding the queue
   * lost its stream and delay set (see the relay). One per queue, in the queue's hash slot: on a
   * Cluster each queue's marker lives, and goes, with that queue's data.
   */
  public String jobGeneration(JobQueue queue) {
    return queue(queue) + ":generation";
  }

  /** String: held by the one worker process that runs the periodic housekeeping now. */
  public String housekeepingLease() {
    return prefix + "housekeeping:lease";
  }

  /**
   * Every key of one job queue carries the hash tag {@code {jobs:<queue>}}: the scripts that move a
   * job between them (append with its marker, due retries back onto the stream) touch one slot.
   */
  private String queue(JobQueue queue) {
    return prefix + "{jobs:" + queue.streamName() + "}";
  }

  /** The set of event ids the waiting room and the admission controller look after. */
  public String events() {
    return prefix + "events";
  }

  /** String: the id of the event with this slug (published by the sale core). */
  public String slug(String slug) {
    return prefix + "slug:" + slug;
  }

  /** The lease held by the one admission-controller leader across all instances. */
  public String admissionLeader() {
    return prefix + "admission:leader";
  }

  /** Counter: provider sessions opened in this second, across the deployment (the provider's rate limit). */
  public String paymentSessionRate(long epochSecond) {
    return prefix + "payments:sessions:" + epochSecond;
  }

  /**
   * The {@code test} payment provider's record of one session (a hash: status, amount, currency):
   * kept where a real provider keeps its own, outside the sale's database.
   */
  public String testProviderSession(UUID paymentId) {
    return prefix + "payments:test-session:" + paymentId;
  }

  public String alerts() {
    return prefix + "alerts";
  }

  /** Keys of one event. */
  public record Event(String base) {
    /** Hash: the schedule and settings the sale core publishes for the waiting room. */
    public String meta() {
      return base + "meta";
    }

    /** Hash: category id to tickets still available (published by the sale core). */
    public String availability() {
      return base + "availability";
    }

    /** Counter: the last arrival number handed out. */
    public String arrivals() {
      return base + "arrivals";
    }

    /** Counter: arrivals with a number up to this are admitted. */
    public String serving() {
      return base + "serving";
    }

    /** Sorted set: admission number to the expiry of its admission (active shoppers). */
    public String activeShoppers() {
      return base + "active";
    }

    /** Hash: admission state flags (sold out, shuffle seed, counters). */
    public String state() {
      return base + "state";
    }

    /** Counter: buyers admitted in total (for metrics). */
    public String admittedTotal() {
      return base + "admitted";
    }

    /**
     * Hash: admissions per second (field: Redis time in epoch seconds, value: buyers admitted), the
     * last two minutes only; the achieved admission rate is read from it.
     */
    public String admissionLog() {
      return base + "admissions";
    }

    /**
     * Hash: admitted numbers whose page said it was leaving, to the lapse time their slot had; any
     * request with their token puts it back (waiting room only).
     */
    public String leaving() {
      return base + "leaving";
    }

    /** Counter: the serial of the last proof-of-work join challenge handed out. */
    public String powSerial() {
      return base + "pow:serial";
    }

    /** Bitmap: bit {@code serial} is set once that join challenge was used (one bit per challenge). */
    public String powUsed() {
      return base + "pow:used";
    }

    /** Counter: join challenges this client address was handed for this event in this minute. */
    public String challengeRateLimit(String clientAddress, long minute) {
      return base + "ratelimit:challenge:" + clientAddress + ":" + minute;
    }

    /** Counter: new numbers this client address took for this event in this minute. */
    public String joinRateLimit(String clientAddress, long minute) {
      return base + "ratelimit:join:" + clientAddress + ":" + minute;
    }
  }
}
