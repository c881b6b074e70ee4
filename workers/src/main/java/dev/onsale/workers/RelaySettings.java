package dev.onsale.workers;

import dev.onsale.common.OnsaleConfig;

/**
 * How the outbox relay moves rows to the job streams, read once where the relay is deployed.
 *
 * @param batchSize outbox rows moved in one pass ({@code ONSALE_RELAY_BATCH}, default 500)
 * @param pollMillis the pass period when no notification wakes the relay, and its wait after a
 *     failed pass ({@code ONSALE_RELAY_POLL_MS}, default 1,000)
 * @param reconnectMillis the wait before listening again after the {@code LISTEN} connection
 *     failed or closed ({@code ONSALE_RELAY_RECONNECT_MS}, default 1,000)
 */
public record RelaySettings(int batchSize, long pollMillis, long reconnectMillis) {

  public static RelaySettings of(OnsaleConfig config) {
    return new RelaySettings(
        config.intSetting("ONSALE_RELAY_BATCH", 500),
        config.longSetting("ONSALE_RELAY_POLL_MS", 1000),
        config.longSetting("ONSALE_RELAY_RECONNECT_MS", 1000));
  }
}
