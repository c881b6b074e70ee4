package dev.onsale.common;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/** The address a request comes from, for the waiting room's join limit and the shop's pending-ticket cap. */
public final class ClientAddress {

  private ClientAddress() {}

  /**
   * Behind a trusted proxy (nginx appends the peer it saw), the last {@code X-Forwarded-For} entry;
   * otherwise the socket's peer, as any client can write the header itself.
   */
  public static String of(RoutingContext ctx, boolean trustForwardedFor) {
    if (trustForwardedFor) {
      String forwarded = ctx.request().getHeader("X-Forwarded-For");
      if (forwarded != null && !forwarded.isBlank()) {
        String[] hops = forwarded.split(",");
        String last = hops[hops.length - 1].trim();
        if (!last.isEmpty() && last.length() <= 64) {
          return last;
        }
      }
    }
    SocketAddress remote = ctx.request().remoteAddress();
    if (remote == null) {
      return "unknown";
    }
    return remote.hostAddress() != null ? remote.hostAddress() : String.valueOf(remote.host());
  }
}
