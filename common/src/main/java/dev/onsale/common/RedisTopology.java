package dev.onsale.common;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where Redis is: one server, a master found through Sentinel, or a Cluster
 * ({@code ONSALE_REDIS_MODE}, {@code ONSALE_REDIS_URL} a comma-separated list,
 * {@code ONSALE_REDIS_MASTER_NAME} for Sentinel). Checked when the configuration is read, so a typo
 * stops the start with a message instead of a client that never connects.
 */
public record RedisTopology(Mode mode, List<String> urls, String masterName, ReplicaWait replicaWait) {

  public enum Mode {
    STANDALONE(RedisClientType.STANDALONE),
    SENTINEL(RedisClientType.SENTINEL),
    CLUSTER(RedisClientType.CLUSTER);

    private final RedisClientType clientType;

    Mode(RedisClientType clientType) {
      this.clientType = clientType;
    }

    public String settingValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final String DEFAULT_URL = "redis://127.0.0.1:6379";

  public RedisTopology {
    urls = List.copyOf(urls);
  }

  public static RedisTopology parse(Map<String, String> settings) {
    Mode mode = mode(settings.getOrDefault("ONSALE_REDIS_MODE", "standalone"));
    List<String> urls = urls(settings.getOrDefault("ONSALE_REDIS_URL", DEFAULT_URL));
    String masterName = settings.get("ONSALE_REDIS_MASTER_NAME");
    if (mode == Mode.STANDALONE && urls.size() > 1) {
      throw new IllegalArgumentException("ONSALE_REDIS_URL names " + urls.size()
          + " servers but ONSALE_REDIS_MODE is standalone: give one URL, or set ONSALE_REDIS_MODE to sentinel or cluster");
    }
    if (mode == Mode.SENTINEL && (masterName == null || masterName.isBlank())) {
      throw new IllegalArgumentException(
          "ONSALE_REDIS_MODE=sentinel needs ONSALE_REDIS_MASTER_NAME, the master set the sentinels watch (e.g. mymaster)");
    }
    if (mode != Mode.SENTINEL && masterName != null && !masterName.isBlank()) {
      throw new IllegalArgumentException("ONSALE_REDIS_MASTER_NAME is only for ONSALE_REDIS_MODE=sentinel (the mode is "
          + mode.settingValue() + ")");
    }
    ReplicaWait wait = new ReplicaWait(count(settings, "ONSALE_REDIS_WAIT_REPLICAS", 0, 0),
        count(settings, "ONSALE_REDIS_WAIT_MS", 1000, 1));
    if (mode == Mode.CLUSTER && wait.on()) {
      throw new IllegalArgumentException("ONSALE_REDIS_WAIT_REPLICAS is not supported with ONSALE_REDIS_MODE=cluster yet "
          + "(a batch there is split across nodes, so one WAIT cannot cover it)");
    }
    return new RedisTopology(mode, urls, mode == Mode.SENTINEL ? masterName.trim() : null, wait);
  }

  /**
   * The client's options: the sentinels (asked for the master, always the master so every write
   * lands on it) or the cluster's seed nodes (it learns the rest and the slots from them).
   */
  public RedisOptions options() {
    RedisOptions options = new RedisOptions().setType(mode.clientType);
    urls.forEach(options::addConnectionString);
    if (mode == Mode.SENTINEL) {
      options.setMasterName(masterName).setRole(RedisRole.MASTER);
    }
    return options;
  }

  public boolean cluster() {
    return mode == Mode.CLUSTER;
  }

  private static int count(Map<String, String> settings, String name, int fallback, int least) {
    String value = settings.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= least) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // refused below, with the setting's name
    }
    throw new IllegalArgumentException(name + " must be a whole number of at least " + least + ", not '" + value + "'");
  }

  private static Mode mode(String value) {
    for (Mode mode : Mode.values()) {
      if (mode.settingValue().equals(value.trim().toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new IllegalArgumentException("ONSALE_REDIS_MODE must be standalone, sentinel or cluster, not '" + value + "'");
  }

  private static List<String> urls(String value) {
    List<String> urls = new ArrayList<>();
    for (String part : value.split(",")) {
      String url = part.trim();
      if (url.isEmpty()) {
        continue;
      }
      checkUrl(url);
      urls.add(url);
    }
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("ONSALE_REDIS_URL must name at least one server, e.g. " + DEFAULT_URL);
    }
    return urls;
  }

  private static void checkUrl(String url) {
    String expected = "' is not a Redis URL (redis://host:port, rediss://host:port or unix:///path, comma-separated for several)";
    try {
      URI uri = new URI(url);
      boolean unixSocket = "unix".equals(uri.getScheme()) && uri.getPath() != null;
      boolean tcp = ("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) && uri.getHost() != null;
      if (!unixSocket && !tcp) {
        throw new IllegalArgumentException("ONSALE_REDIS_URL: '" + url + expected);
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("ONSALE_REDIS_URL: '" + url + expected, e);
    }
  }
}
