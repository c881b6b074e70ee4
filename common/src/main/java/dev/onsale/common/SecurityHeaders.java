package dev.onsale.common;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/** Headers every answer carries: pages cannot be framed, sniffed or leak their URLs. */
public final class SecurityHeaders implements Handler<RoutingContext> {

  public static final SecurityHeaders INSTANCE = new SecurityHeaders();

  static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
      + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  @Override
  public void handle(RoutingContext ctx) {
    setOn(ctx.response().headers());
    ctx.next();
  }

  /** For answers written outside the router, such as requests the HTTP decoder refused. */
  public static MultiMap setOn(MultiMap headers) {
    return headers
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("X-Frame-Options", "DENY")
        .set("Content-Security-Policy", CSP);
  }
}
