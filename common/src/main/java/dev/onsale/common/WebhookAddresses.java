package dev.onsale.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where organizer webhooks may point: not at this machine, its private networks or the cloud
 * metadata address (loopback, private, carrier-grade NAT, link-local, unspecified, multicast,
 * unique-local), unless the operator lists the host or its network in
 * {@code ONSALE_WEBHOOK_ALLOWED_HOSTS} (comma-separated host names, addresses and CIDRs, e.g.
 * {@code hooks.internal,10.0.0.0/8,::1}). Checked when a hook is registered and again, after DNS
 * resolution, before each delivery, which then connects to the address that was checked.
 */
public final class WebhookAddresses {

  public static final String SETTING = "ONSALE_WEBHOOK_ALLOWED_HOSTS";

  private record Cidr(byte[] network, int bits) {
    boolean contains(InetAddress address) {
      byte[] bytes = address.getAddress();
      if (bytes.length != network.length) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((bytes[i / 8] & mask) != (network[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private final Set<String> hosts = new HashSet<>();
  private final List<Cidr> networks = new ArrayList<>();

  public WebhookAddresses(String allowList) {
    for (String raw : (allowList == null ? "" : allowList).split(",")) {
      String entry = raw.strip().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      String host = unbracket(slash < 0 ? entry : entry.substring(0, slash));
      if (slash < 0 && !isLiteral(host)) {
        hosts.add(host);
        continue;
      }
      if (!isLiteral(host)) {
        throw new IllegalArgumentException(SETTING + ": '" + raw.strip() + "' is not a host, an address or a CIDR");
      }
      byte[] network = literal(host).getAddress();
      int bits;
      try {
        bits = slash < 0 ? network.length * 8 : Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(SETTING + ": '" + raw.strip() + "' has no valid prefix length");
      }
      if (bits < 0 || bits > network.length * 8) {
        throw new IllegalArgumentException(SETTING + ": '" + raw.strip() + "' has no valid prefix length");
      }
      networks.add(new Cidr(network, bits));
    }
  }

  public static WebhookAddresses from(OnsaleConfig config) {
    return new WebhookAddresses(config.setting(SETTING, ""));
  }

  /** True when the operator listed this host name (or literal address) itself. */
  public boolean hostListed(String host) {
    return hosts.contains(unbracket(host.toLowerCase(Locale.ROOT)));
  }

  /** True when a delivery may connect to this address. */
  public boolean allowed(InetAddress address) {
    if (!isInternal(address)) {
      return true;
    }
    for (Cidr network : networks) {
      if (network.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * At registration: a host whose literal address, or any address it resolves to now, is internal
   * and not allowed is a 400. A name that does not resolve yet is accepted; delivery checks again.
   * Resolution runs on a worker thread, never on the event loop.
   */
  public Future<Void> checkRegistration(Vertx vertx, String host) {
    if (hostListed(host)) {
      return Future.succeededFuture();
    }
    return vertx.<InetAddress[]>executeBlocking(() -> {
          try {
            return InetAddress.getAllByName(unbracket(host));
          } catch (UnknownHostException e) {
            return new InetAddress[0];
          }
        }, false)
        .compose(addresses -> {
          for (InetAddress address : addresses) {
            if (!allowed(address)) {
              return Future.failedFuture(ApiException.invalid("url", "points at a loopback, private or link-local address ("
                  + address.getHostAddress() + "); the operator may allow it with " + SETTING));
            }
          }
          return Future.succeededFuture();
        });
  }

  /**
   * Before a delivery: the address to connect to, resolved now; fails when the host does not
   * resolve or any of its addresses is internal and not allowed (a name that answers with a
   * public and a private address is refused, so the check cannot be raced).
   */
  public Future<InetAddress> resolveForDelivery(Vertx vertx, String host) {
    boolean listed = hostListed(host);
    return vertx.<InetAddress[]>executeBlocking(() -> InetAddress.getAllByName(unbracket(host)), false)
        .compose(addresses -> {
          for (InetAddress address : addresses) {
            if (!listed && !allowed(address)) {
              return Future.failedFuture(new IllegalStateException("host " + host + " resolves to "
                  + address.getHostAddress() + ", a loopback, private or link-local address not in " + SETTING));
            }
          }
          return Future.succeededFuture(addresses[0]);
        });
  }

  /** Loopback, private, carrier-grade NAT, link-local, unspecified, multicast or unique-local. */
  public static boolean isInternal(InetAddress address) {
    if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
        || address.isAnyLocalAddress() || address.isMulticastAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xFF;
      int second = b[1] & 0xFF;
      return first == 0 || first == 127 || (first == 100 && second >= 64 && second <= 127)
          || (first == 169 && second == 254) || first >= 240;
    }
    if (address instanceof Inet6Address) {
      if ((b[0] & 0xFE) == 0xFC) {
        return true; // fc00::/7, unique local
      }
      boolean zeroPrefix = true;
      for (int i = 0; i < 10; i++) {
        zeroPrefix &= b[i] == 0;
      }
      if (zeroPrefix && ((b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xFF && b[11] == (byte) 0xFF))) {
        // ::a.b.c.d and ::ffff:a.b.c.d carry an IPv4 address: judge that one
        try {
          return isInternal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return true;
        }
      }
    }
    return false;
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** An IPv4 dotted quad or an IPv6 address, parsed without any name lookup. */
  static boolean isLiteral(String host) {
    return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (host.contains(":") && host.matches("[0-9a-fA-F:.%]+"));
  }

  private static InetAddress literal(String host) {
    try {
      return InetAddress.getByName(host); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(SETTING + ": '" + host + "' is not an address");
    }
  }
}
