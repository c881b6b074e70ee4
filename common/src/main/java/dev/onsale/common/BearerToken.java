package dev.onsale.common;

import io.vertx.ext.web.RoutingContext;

/** Reads the token of an {@code Authorization: Bearer <token>} header: an organizer's or a buyer's. */
public final class BearerToken {

  private BearerToken() {}

  /** The token after {@code Bearer } (the scheme in any case), trimmed; {@code null} when there is none. */
  public static String from(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return header.substring(7).trim();
  }
}
