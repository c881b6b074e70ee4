package dev.onsale.workers;

import dev.onsale.common.JobQueue;
import dev.onsale.common.OnsaleConfig;

/**
 * How often and how far {@link HousekeepingVerticle} cleans up, read once where the {@code background}
 * queue is deployed.
 *
 * @param periodMillis the time between two passes ({@code ONSALE_HOUSEKEEPING_SECONDS}, default 300)
 * @param mediaMaxBytes the size the media folder is kept under by deleting PDFs nobody can be served
 *     any more ({@code ONSALE_MEDIA_MAX_BYTES}, default 10 GiB)
 * @param webhookRetryMillis how long the webhooks queue retries a delivery (from its
 *     {@link QueueSettings}); delivery records are kept a day longer
 */
public record HousekeepingSettings(long periodMillis, long mediaMaxBytes, long webhookRetryMillis) {

  public static HousekeepingSettings of(OnsaleConfig config) {
    return new HousekeepingSettings(
        config.longSetting("ONSALE_HOUSEKEEPING_SECONDS", 300) * 1000,
        config.longSetting("ONSALE_MEDIA_MAX_BYTES", 10L * 1024 * 1024 * 1024),
        QueueSettings.of(config, JobQueue.WEBHOOKS).retryPeriodMillis());
  }
}
