package dev.onsale.waitingroom;

import dev.onsale.common.OnsaleConfig;

/**
 * The waiting room's own settings, read once from the configuration.
 *
 * @param joinRatePerMinute new queue numbers one client address may take per minute
 *     ({@code ONSALE_JOIN_RATE_PER_MINUTE}, default 1,000: 500 buyers behind one campus or carrier
 *     address all join within a minute, twice over); rejoining with a valid token is not counted.
 *     Bots are slowed by proof-of-work joins ({@code joinChallenge = pow}), not by a tight limit
 * @param graceSeconds how long an admitted buyer has to reserve before the admission lapses and
 *     the slot goes to the next in line ({@code ONSALE_ADMISSION_GRACE_SECONDS})
 * @param refreshMillis how often each instance reloads the shared queue state of the events it
 *     serves from Redis ({@code ONSALE_QUEUE_REFRESH_MS})
 * @param leaveSeconds how soon the slot of an admitted buyer whose page said it left goes to the
 *     next buyer, unless a request with their token comes first ({@code ONSALE_ADMISSION_LEAVE_SECONDS})
 * @param tickMillis how often the leader raises the serving counter ({@code ONSALE_ADMISSION_TICK_MS})
 * @param leaseMillis how long the leader's lease lives without renewal, i.e. the longest time the
 *     queue stands still after the leader dies ({@code ONSALE_ADMISSION_LEASE_MS})
 * @param trustForwardedFor take the client address from the last {@code X-Forwarded-For} entry
 *     (only behind a proxy that sets it; {@code ONSALE_TRUST_FORWARDED_FOR})
 * @param secureCookies mark the queue cookie {@code Secure} (on when the public URL is https)
 */
public record WaitingRoomSettings(
    int joinRatePerMinute,
    int graceSeconds,
    int leaveSeconds,
    long refreshMillis,
    long tickMillis,
    long leaseMillis,
    boolean trustForwardedFor,
    boolean secureCookies) {

  static final int DEFAULT_JOIN_RATE_PER_MINUTE = 1_000;

  public static WaitingRoomSettings from(OnsaleConfig config) {
    return new WaitingRoomSettings(
        positive(config, "ONSALE_JOIN_RATE_PER_MINUTE", DEFAULT_JOIN_RATE_PER_MINUTE),
        positive(config, "ONSALE_ADMISSION_GRACE_SECONDS", 120),
        positive(config, "ONSALE_ADMISSION_LEAVE_SECONDS", 20),
        positive(config, "ONSALE_QUEUE_REFRESH_MS", 250),
        positive(config, "ONSALE_ADMISSION_TICK_MS", 1000),
        positive(config, "ONSALE_ADMISSION_LEASE_MS", 4000),
        Boolean.parseBoolean(config.setting("ONSALE_TRUST_FORWARDED_FOR", "false")),
        config.publicUrl().startsWith("https://"));
  }

  private static int positive(OnsaleConfig config, String name, int fallback) {
    int value = config.intSetting(name, fallback);
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
    return value;
  }
}
