package dev.onsale.common;

import io.vertx.ext.web.Router;
import java.util.List;

/** A module's HTTP routes, mounted on the one router of each web verticle instance. */
@FunctionalInterface
public interface WebModule {
  void mount(Router router);

  /**
   * Route paths (as given to the router, e.g. {@code /api/v1/payments/:provider/webhook}) whose
   * request bodies this module reads raw, in any content type: {@link JsonBodies} leaves them
   * alone (no content-type check, no JSON parsing). Every other body must be strict JSON.
   */
  default List<String> rawBodyPaths() {
    return List.of();
  }
}
