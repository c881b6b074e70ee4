package dev.onsale.waitingroom;

import dev.onsale.common.ApiException;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.RedisScript;
import dev.onsale.common.ReplicaWait;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proof-of-work join challenges ({@code joinChallenge = pow} on the event).
 *
 * <p>A challenge is {@code eventId.serial.expiresAt.difficulty.mac}: the serial comes from the
 * event's challenge counter, {@code expiresAt} is in epoch seconds, and the mac (an HMAC-SHA-256 of
 * the rest under a key derived from the token secret, 96 bits in base64url) makes it unforgeable, so
 * nothing per challenge is stored until it is used. A solution is a decimal {@code nonce} such that
 * {@code SHA-256(UTF-8(challenge + nonce))} starts with at least {@code difficulty} zero bits. Each
 * challenge is used once: its serial's bit in the event's bitmap is set on first use (one bit per
 * challenge handed out, about 125 KB per million). Both keys carry the event's hash tag.
 *
 * <p>Challenge and nonce together stay within 55 bytes, one SHA-256 block, so the page's solver
 * hashes a single block per try.
 */
final class JoinChallenges {

  static final long LIFETIME_SECONDS = 300;
  private static final Pattern NONCE = Pattern.compile("[0-9]{1,12}");
  private static final int MAX_CHALLENGE_LENGTH = 64;

  /**
   * Counts the address's challenges in this minute and, within its limit, takes the next serial;
   * over it answers 0 and takes none, so that a bot cannot run up the serial (and the bitmap of
   * used challenges behind it) from one address.
   */
  private static final RedisScript ISSUE = new RedisScript("""
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('EXPIRE', KEYS[1], 120) end
      if n > tonumber(ARGV[1]) then return 0 end
      return redis.call('INCR', KEYS[2])""");

  private final Redis redis;
  private final RedisKeys keys;
  private final byte[] macKey;
  private final int perAddressPerMinute;
  private final ReplicaWait wait;

  /**
   * @param perAddressPerMinute challenges one client address may take per event and minute
   * @param wait with it on, a challenge's serial and its used mark are answered once a replica
   *     holds them: a failover then neither issues a serial twice nor lets a used challenge in again
   */
  JoinChallenges(Redis redis, RedisKeys keys, String tokenSecret, int perAddressPerMinute, ReplicaWait wait) {
    this.redis = redis;
    this.keys = keys;
    this.macKey = sha256(("onsale-join-challenge:" + tokenSecret).getBytes(StandardCharsets.UTF_8));
    this.perAddressPerMinute = perAddressPerMinute;
    this.wait = wait;
  }

  /**
   * A new challenge: {@code {"challenge","difficulty","expiresAt"}}, or a 429 with when to come back
   * for an address over its limit.
   */
  Future<JsonObject> issue(EventInfo event, String clientAddress, long now) {
    RedisKeys.Event eventKeys = keys.event(event.id());
    return ISSUE.run(redis, wait, List.of(eventKeys.challengeRateLimit(clientAddress, now / 60_000), eventKeys.powSerial()),
            perAddressPerMinute)
        .compose(reply -> reply.toLong() == 0
            ? Future.failedFuture(QueueNumbers.rateLimited(now, "too many join challenges from your address"))
            : Future.succeededFuture(reply.toLong()))
        .map(serial -> {
          long expiresAt = now / 1000 + LIFETIME_SECONDS;
          String unsigned = event.id() + "." + serial + "." + expiresAt + "." + event.powDifficulty();
          return new JsonObject()
              .put("challenge", unsigned + "." + mac(unsigned))
              .put("difficulty", event.powDifficulty())
              .put("expiresAt", QueueStatus.iso(expiresAt * 1000));
        });
  }

  /**
   * Checks a solution from a join body and marks its challenge used; fails with a 4xx when it is
   * missing, malformed, forged, expired, easier than the event now asks, unsolved or already used.
   */
  Future<Void> redeem(EventInfo event, JsonObject body, long now) {
    Object rawChallenge = body.getValue("challenge");
    Object rawNonce = body.getValue("nonce");
    if (rawChallenge == null && rawNonce == null) {
      return Future.failedFuture(ApiException.badRequest("challenge_required",
          "joining this event takes a solved challenge: GET /api/v1/events/" + event.id() + "/queue/challenge"));
    }
    if (!(rawChallenge instanceof String challenge) || challenge.length() > MAX_CHALLENGE_LENGTH) {
      return Future.failedFuture(ApiException.invalid("challenge", "must be the string the challenge endpoint gave"));
    }
    String nonce = rawNonce instanceof Number number && !(rawNonce instanceof Double || rawNonce instanceof Float)
        ? String.valueOf(number.longValue()) : rawNonce instanceof String text ? text : null;
    if (nonce == null || !NONCE.matcher(nonce).matches()) {
      return Future.failedFuture(ApiException.invalid("nonce", "must be a decimal number of 1 to 12 digits"));
    }
    String[] parts = challenge.split("\\.");
    if (parts.length != 5) {
      return Future.failedFuture(invalidChallenge());
    }
    long eventId;
    long serial;
    long expiresAt;
    int difficulty;
    try {
      eventId = Long.parseLong(parts[0]);
      serial = Long.parseLong(parts[1]);
      expiresAt = Long.parseLong(parts[2]);
      difficulty = Integer.parseInt(parts[3]);
    } catch (NumberFormatException e) {
      return Future.failedFuture(invalidChallenge());
    }
    String unsigned = challenge.substring(0, challenge.lastIndexOf('.'));
    if (eventId != event.id() || serial <= 0 || serial > Integer.MAX_VALUE
        || !MessageDigest.isEqual(mac(unsigned).getBytes(StandardCharsets.US_ASCII),
            parts[4].getBytes(StandardCharsets.US_ASCII))) {
      return Future.failedFuture(invalidChallenge());
    }
    if (expiresAt * 1000 <= now || difficulty < event.powDifficulty()) {
      return Future.failedFuture(ApiException.badRequest("challenge_expired",
          "this challenge has expired; get a new one"));
    }
    if (leadingZeroBits(sha256((challenge + nonce).getBytes(StandardCharsets.UTF_8))) < difficulty) {
      return Future.failedFuture(ApiException.badRequest("challenge_unsolved",
          "SHA-256(challenge + nonce) does not start with " + difficulty + " zero bits"));
    }
    return wait.batch(redis, List.of(Request.cmd(Command.SETBIT).arg(keys.event(event.id()).powUsed()).arg(serial).arg(1)))
        .compose(replies -> RedisReplies.longOr(replies.get(0), 0) == 0
            ? Future.succeededFuture()
            : Future.failedFuture(ApiException.conflict("challenge_used",
                "this challenge was used already; get a new one")));
  }

  static int leadingZeroBits(byte[] hash) {
    int bits = 0;
    for (byte b : hash) {
      if (b == 0) {
        bits += 8;
        continue;
      }
      return bits + Integer.numberOfLeadingZeros(b & 0xff) - 24;
    }
    return bits;
  }

  private String mac(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
      byte[] full = mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(full, 12));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime has HmacSHA256", e);
    }
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static ApiException invalidChallenge() {
    return ApiException.badRequest("challenge_invalid", "this is not a challenge this event gave out");
  }
}
