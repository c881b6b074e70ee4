package dev.onsale.waitingroom;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;

/**
 * The queue token also travels as a cookie, so the pages keep their place across refreshes and tabs
 * without script access to it: HttpOnly (no script can steal it), SameSite=Strict (no other site
 * can make a browser join or poll with it), one per event.
 */
final class QueueCookie {

  private QueueCookie() {}

  static String name(long eventId) {
    return "onsale_queue_" + eventId;
  }

  static String read(RoutingContext ctx, long eventId) {
    Cookie cookie = ctx.request().getCookie(name(eventId));
    return cookie == null ? null : cookie.getValue();
  }

  static void write(RoutingContext ctx, long eventId, String token, long maxAgeSeconds, boolean secure) {
    ctx.response().addCookie(Cookie.cookie(name(eventId), token)
        .setPath("/")
        .setMaxAge(maxAgeSeconds)
        .setHttpOnly(true)
        .setSecure(secure)
        .setSameSite(CookieSameSite.STRICT));
  }
}
