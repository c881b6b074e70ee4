package dev.onsale.app;

import dev.onsale.common.OnsaleConfig;

/**
 * How an instance starts, read once when it does.
 *
 * @param migrateOnStart apply the Flyway migrations before serving, in a role that uses the
 *     database ({@code ONSALE_MIGRATE_ON_START}, default true; false when {@code onsale migrate}
 *     runs apart)
 * @param httpInstances web verticles, each on its own event loop ({@code ONSALE_HTTP_INSTANCES},
 *     default one per core)
 */
record AppSettings(boolean migrateOnStart, int httpInstances) {

  static AppSettings of(OnsaleConfig config) {
    return new AppSettings(
        !"false".equals(config.setting("ONSALE_MIGRATE_ON_START", "true")),
        config.intSetting("ONSALE_HTTP_INSTANCES", Runtime.getRuntime().availableProcessors()));
  }
}
