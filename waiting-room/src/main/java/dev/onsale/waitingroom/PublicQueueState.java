package dev.onsale.waitingroom;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code GET /api/v1/events/{id}/queue/state}: what is the same for every waiting buyer, as one
 * public, cacheable document. Built only from values read from Redis (the snapshot), with Redis's
 * clock cut to the whole second as {@code serverTime}: two instances that read the same values in
 * the same second answer the same bytes, so the ETag (a hash of the body) changes at most once a
 * second, and never while nothing moves within that second.
 *
 * <p>{@code refreshSeconds} is the base poll period the page spaces its polls by (longer when
 * nothing moves); the page stretches it with its distance to the front (see queue.js).
 *
 * @param body the JSON document
 * @param etag the quoted strong ETag: the first 128 bits of the body's SHA-256 in hex
 */
record PublicQueueState(String body, String etag) {

  static final String OFF = "off";
  static final String NOT_OPEN = "not_open";
  static final String SHUFFLING = "shuffling";
  static final String ADMITTING = "admitting";
  static final String PAUSED = "paused";
  static final String WAITING_FOR_TICKETS = "waiting_for_tickets";

  /** The longest wait between two reads while every ticket is in a basket. */
  static final int MAX_BASKET_REFRESH_SECONDS = 30;
  /** The shortest wait between two reads while the sale is paused or every ticket is in a basket. */
  static final int MIN_IDLE_REFRESH_SECONDS = 5;

  static PublicQueueState of(QueueSnapshot snapshot) {
    JsonObject document = document(snapshot);
    String body = document.encode();
    return new PublicQueueState(body, etag(body));
  }

  static JsonObject document(QueueSnapshot snapshot) {
    EventInfo event = snapshot.event();
    long now = snapshot.redisTime() / 1000 * 1000;
    String state = state(snapshot, now);
    Availability availability = snapshot.availability();
    AchievedRate rate = snapshot.achievedRate();
    JsonObject body = new JsonObject()
        .put("eventId", event.id())
        .put("state", state)
        .put("serving", snapshot.serving())
        .put("arrivals", snapshot.arrivals())
        .put("waiting", snapshot.waiting())
        .put("admissionRatePerMinute", rate.known() ? Math.round(rate.perMinute() * 10) / 10.0 : null)
        .put("rateWindowSeconds", rate.windowSeconds())
        .put("configuredRatePerMinute", event.admissionRatePerMinute())
        .put("ticketsLeft", availability.known() ? availability.available() : null)
        .put("ticketsPending", availability.known() ? availability.pending() : 0)
        .put("queueOpensAt", QueueStatus.iso(event.meta().queueOpensAt()))
        .put("saleStartsAt", QueueStatus.iso(event.meta().saleStartsAt()))
        .put("saleEndsAt", QueueStatus.iso(event.meta().saleEndsAt()))
        .put("serverTime", QueueStatus.iso(now))
        .put("refreshSeconds", refreshSeconds(state, event, availability, now))
        .put("updatedAt", QueueStatus.iso(snapshot.servingUpdatedAt()))
        .put("preQueue", event.meta().randomPreQueue() ? "random" : "fifo")
        .put("joinChallenge", event.meta().powJoin() ? "pow" : "none");
    if (event.meta().randomPreQueue()) {
      body.put("seedHash", snapshot.seedHash())
          .put("seed", snapshot.revealedSeed())
          .put("preQueueSize", snapshot.preQueueClosed() ? snapshot.preQueueSize() : null);
    }
    return body;
  }

  static String state(QueueSnapshot snapshot, long now) {
    EventInfo event = snapshot.event();
    Availability availability = snapshot.availability();
    if (!event.meta().waitingRoomOn()) {
      return OFF;
    }
    if (event.saleEnded(now)) {
      return QueueStatus.CLOSED;
    }
    if (!event.queueOpen(now)) {
      return NOT_OPEN;
    }
    if (availability.soldOut()) {
      return QueueStatus.SOLD_OUT;
    }
    if (!event.saleStarted(now)) {
      return QueueStatus.PREQUEUE;
    }
    if (event.meta().randomPreQueue() && !snapshot.preQueueClosed()) {
      return SHUFFLING;
    }
    if (event.meta().paused()) {
      return PAUSED;
    }
    if (!availability.admitsMore()) {
      return WAITING_FOR_TICKETS;
    }
    return ADMITTING;
  }

  /**
   * How long a page near the front waits between two reads. Far from the sale start a pre-queue
   * page has nothing to learn; it plans its first poll of the sale by {@code saleStartsAt} itself.
   */
  static int refreshSeconds(String state, EventInfo event, Availability availability, long now) {
    return switch (state) {
      case ADMITTING, SHUFFLING -> 2;
      case PAUSED -> MIN_IDLE_REFRESH_SECONDS;
      case WAITING_FOR_TICKETS -> untilRelease(availability, now);
      case QueueStatus.PREQUEUE -> event.meta().saleStartsAt() - now > 300_000 ? 30 : 5;
      case NOT_OPEN -> 30;
      case QueueStatus.SOLD_OUT -> 30;
      default -> 60;
    };
  }

  /**
   * While every ticket is in a basket, a ticket comes back when the earliest hold or payment window
   * ends (or, rarely, when a hold is let go or an order cancelled): the pages read again around
   * then, at least every 30 s, instead of every 5 s for minutes while the payers pay.
   */
  static int untilRelease(Availability availability, long now) {
    if (availability.nextReleaseAt() <= 0) {
      return MIN_IDLE_REFRESH_SECONDS;
    }
    long seconds = Math.max(0, availability.nextReleaseAt() - now + 999) / 1000;
    return (int) Math.max(MIN_IDLE_REFRESH_SECONDS, Math.min(MAX_BASKET_REFRESH_SECONDS, seconds));
  }

  static String etag(String body) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return "\"" + HexFormat.of().formatHex(hash, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Whether an {@code If-None-Match} header names this ETag (weak or strong, or {@code *}). */
  boolean matches(String ifNoneMatch) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals("*") || tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }
}
