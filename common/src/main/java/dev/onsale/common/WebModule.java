package dev.onsale.common;

import io.vertx.ext.web.Router;

/** A module's HTTP routes, mounted on the one router of each web verticle instance. */
@FunctionalInterface
public interface WebModule {
  void mount(Router router);
}
