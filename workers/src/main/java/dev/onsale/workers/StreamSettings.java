package dev.onsale.workers;

import dev.onsale.common.OnsaleConfig;

/**
 * How the job streams are bounded, read once where the relay and the workers are deployed and
 * passed to each {@link JobStreams}.
 *
 * @param maxLength entries a job stream keeps before {@code MAXLEN ~} trims the oldest
 *     ({@code ONSALE_STREAM_MAXLEN}, default 1,000,000): a safety bound only, since trimming drops
 *     entries, so it sits far above any real backlog
 * @param deadLetterMaxLength entries the dead-letter stream keeps ({@code ONSALE_DEAD_LETTER_MAXLEN},
 *     default 100,000)
 * @param appendedMarkerMillis how long the marker of an appended outbox row lives, so that a row
 *     sent again adds no second entry ({@code ONSALE_RELAY_DEDUPE_SECONDS}, default a day: it only
 *     needs to outlive a relay's retries of one batch, a day leaves room for long outages)
 */
public record StreamSettings(long maxLength, long deadLetterMaxLength, long appendedMarkerMillis) {

  public static StreamSettings of(OnsaleConfig config) {
    return new StreamSettings(
        config.longSetting("ONSALE_STREAM_MAXLEN", 1_000_000),
        config.longSetting("ONSALE_DEAD_LETTER_MAXLEN", 100_000),
        config.longSetting("ONSALE_RELAY_DEDUPE_SECONDS", 86_400) * 1000);
  }
}
