package dev.onsale.common;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Lets a request through only with {@code Authorization: Bearer <ONSALE_ADMIN_TOKEN>}. */
public final class AdminAuth implements Handler<RoutingContext> {

  private final byte[] expected;

  public AdminAuth(String adminToken) {
    this.expected = adminToken.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (matches(BearerToken.from(ctx))) {
      ctx.next();
    } else {
      ctx.fail(ApiException.unauthorized("the organizer token is missing or wrong"));
    }
  }

  /** Constant-time, so that the response time does not reveal how much of a guess was right. */
  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    return MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.UTF_8));
  }
}
