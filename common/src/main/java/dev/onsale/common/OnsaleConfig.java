package dev.onsale.common;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The one door through which configuration enters: environment variables, optionally overridden by
 * a properties file named in {@code ONSALE_CONFIG_FILE}. Modules derive their own typed settings
 * from {@link #setting} at start-up; nothing reads the environment deep inside a handler.
 */
public record OnsaleConfig(
    int httpPort,
    String pgUrl,
    String redisUrl,
    RedisTopology redis,
    Roles roles,
    String adminToken,
    String tokenSecret,
    String smtpHost,
    int smtpPort,
    String mediaDir,
    String environment,
    String redisPrefix,
    String publicUrl,
    Map<String, String> settings) {

  public static final String DEV_ADMIN_TOKEN = "dev-admin-token";
  public static final String DEV_TOKEN_SECRET = "dev-token-secret-change-me-in-production";
  static final int MIN_SECRET_LENGTH = 32;
  static final int MIN_ADMIN_TOKEN_LENGTH = 24;

  public static OnsaleConfig fromEnvironment() {
    return fromMap(withConfigFile(System.getenv()));
  }

  public static OnsaleConfig fromMap(Map<String, String> source) {
    Map<String, String> s = Map.copyOf(source);
    int port = intOf(s, "ONSALE_HTTP_PORT", 8080);
    return new OnsaleConfig(
        port,
        s.getOrDefault("ONSALE_PG_URL", "postgresql://postgres@127.0.0.1:5432/onsale"),
        s.getOrDefault("ONSALE_REDIS_URL", RedisTopology.DEFAULT_URL),
        RedisTopology.parse(s),
        Roles.parse(s.getOrDefault("ONSALE_ROLES", "web,workers,ops")),
        s.getOrDefault("ONSALE_ADMIN_TOKEN", DEV_ADMIN_TOKEN),
        s.getOrDefault("ONSALE_TOKEN_SECRET", DEV_TOKEN_SECRET),
        s.getOrDefault("ONSALE_SMTP_HOST", "127.0.0.1"),
        intOf(s, "ONSALE_SMTP_PORT", 1025),
        s.getOrDefault("ONSALE_MEDIA_DIR", "media"),
        s.getOrDefault("ONSALE_ENV", "development"),
        redisPrefix(s),
        s.getOrDefault("ONSALE_PUBLIC_URL", "http://localhost:" + port),
        s);
  }

  /** A copy with some settings replaced, as tests and the launcher's options need. */
  public OnsaleConfig with(Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>(settings);
    merged.putAll(overrides);
    return fromMap(merged);
  }

  public boolean production() {
    return "production".equalsIgnoreCase(environment);
  }

  /**
   * Production refuses to start with a development default or a short secret: a guessable token
   * secret lets anyone mint admission tokens and skip the queue.
   */
  public OnsaleConfig validate() {
    if (!production()) {
      return this;
    }
    if (tokenSecret.equals(DEV_TOKEN_SECRET) || tokenSecret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalStateException(
          "ONSALE_TOKEN_SECRET must be set to a random value of at least "
              + MIN_SECRET_LENGTH + " characters in production");
    }
    if (adminToken.equals(DEV_ADMIN_TOKEN) || adminToken.length() < MIN_ADMIN_TOKEN_LENGTH) {
      throw new IllegalStateException(
          "ONSALE_ADMIN_TOKEN must be set to a random value of at least "
              + MIN_ADMIN_TOKEN_LENGTH + " characters in production");
    }
    return this;
  }

  public String setting(String name, String fallback) {
    return settings.getOrDefault(name, fallback);
  }

  public int intSetting(String name, int fallback) {
    return intOf(settings, name, fallback);
  }

  public long longSetting(String name, long fallback) {
    String value = settings.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
    }
  }

  /** A brace would start a hash tag of its own and pull every key onto one Cluster slot, or split an event's keys. */
  private static String redisPrefix(Map<String, String> s) {
    String prefix = s.getOrDefault("ONSALE_REDIS_PREFIX", "onsale:");
    if (prefix.contains("{") || prefix.contains("}")) {
      throw new IllegalArgumentException("ONSALE_REDIS_PREFIX must not contain { or } (they mark Redis Cluster hash tags): '"
          + prefix + "'");
    }
    return prefix;
  }

  private static int intOf(Map<String, String> s, String name, int fallback) {
    String value = s.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
    }
  }

  private static Map<String, String> withConfigFile(Map<String, String> env) {
    String file = env.get("ONSALE_CONFIG_FILE");
    if (file == null || file.isBlank()) {
      return env;
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of(file))) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read ONSALE_CONFIG_FILE " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> merged = new HashMap<>(env);
    properties.forEach((k, v) -> merged.put(k.toString(), v.toString()));
    return merged;
  }
}
