package dev.onsale.common;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** Headers every answer carries: pages cannot be framed, sniffed or leak their URLs. */
public final class SecurityHeaders implements Handler<RoutingContext> {

  public static final SecurityHeaders INSTANCE = new SecurityHeaders();

  static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
      + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  // Encoded once: every answer carries them, and the hot ones (queue joins and polls) are small.
  private static final CharSequence CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");
  private static final CharSequence FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence CONTENT_SECURITY_POLICY = HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence CSP_VALUE = HttpHeaders.createOptimized(CSP);

  @Override
  public void handle(RoutingContext ctx) {
    setOn(ctx.response().headers());
    ctx.next();
  }

  /** For answers written outside the router, such as requests the HTTP decoder refused. */
  public static MultiMap setOn(MultiMap headers) {
    return headers
        .set(CONTENT_TYPE_OPTIONS, NOSNIFF)
        .set(REFERRER_POLICY, NO_REFERRER)
        .set(FRAME_OPTIONS, DENY)
        .set(CONTENT_SECURITY_POLICY, CSP_VALUE);
  }
}
