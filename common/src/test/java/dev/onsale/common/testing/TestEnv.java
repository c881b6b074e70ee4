package dev.onsale.common.testing;

import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Gives each test its own PostgreSQL database and Redis key prefix against the real local services,
 * so that runs never see each other's data. What a test class made is removed when the class
 * finishes, whatever its outcome ({@link TestDataCleanup}, registered with the JUnit Platform), and
 * anything still listed when the JVM exits.
 */
public final class TestEnv {

  public static final String PG_BASE = System.getenv().getOrDefault(
      "ONSALE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres");
  public static final String REDIS_URL = System.getenv().getOrDefault(
      "ONSALE_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  /** Databases and key prefixes made and not yet removed. */
  private static final List<String> CREATED = new ArrayList<>();
  private static final List<String> PREFIXES = new ArrayList<>();
  /** Every prefix ever handed out: swept once more at the end, in case something wrote late. */
  private static final List<String> ALL_PREFIXES = new ArrayList<>();
  /** Media directories (ticket PDFs) handed out and not yet deleted. */
  private static final List<Path> MEDIA_DIRS = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> removeCreated(true)));
  }

  private TestEnv() {}

  /** A configuration with a new empty database, a new key prefix and a free HTTP port. */
  public static OnsaleConfig freshConfig() {
    return freshConfig(Map.of());
  }

  public static OnsaleConfig freshConfig(Map<String, String> overrides) {
    String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String database = "onsale_test_" + id;
    createDatabase(database);
    Map<String, String> settings = instanceSettings(PG_BASE.substring(0, PG_BASE.lastIndexOf('/') + 1) + database,
        REDIS_URL, freshPrefix(id), freshMediaDir(id));
    settings.putAll(overrides);
    return OnsaleConfig.fromMap(settings);
  }

  /**
   * The settings of one instance on the given database, Redis, key prefix and media directory: a
   * free HTTP port and the test tokens (a map to add to, for an instance of a test's own making).
   */
  public static Map<String, String> instanceSettings(String pgUrl, String redisUrl, String prefix, String mediaDir) {
    Map<String, String> settings = new HashMap<>();
    settings.put("ONSALE_PG_URL", pgUrl);
    settings.put("ONSALE_REDIS_URL", redisUrl);
    settings.put("ONSALE_REDIS_PREFIX", prefix);
    settings.put("ONSALE_HTTP_PORT", String.valueOf(freePort()));
    settings.put("ONSALE_ADMIN_TOKEN", "test-admin-token-0123456789");
    settings.put("ONSALE_TOKEN_SECRET", "test-token-secret-0123456789-0123456789");
    settings.put("ONSALE_MEDIA_DIR", mediaDir);
    return settings;
  }

  /** A new Redis key prefix ({@code test:<id>:}) whose keys are removed with the test class. */
  public static String freshPrefix() {
    return freshPrefix(UUID.randomUUID().toString().replace("-", "").substring(0, 12));
  }

  /** A new media directory path under the temporary directory, deleted with the test class. */
  public static String freshMediaDir() {
    return freshMediaDir(UUID.randomUUID().toString().replace("-", "").substring(0, 12));
  }

  private static String freshMediaDir(String id) {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "onsale-test-media-" + id);
    synchronized (CREATED) {
      MEDIA_DIRS.add(dir);
    }
    return dir.toString();
  }

  private static String freshPrefix(String id) {
    String prefix = "test:" + id + ":";
    synchronized (CREATED) {
      PREFIXES.add(prefix);
      ALL_PREFIXES.add(prefix);
    }
    return prefix;
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for a future from a test thread (never from an event loop). */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs the work on the given context (an event loop, for code that behaves per loop) and waits for it. */
  public static <T> T awaitOn(Context context, Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(ignored -> work.get().onComplete(result));
    return await(result.future());
  }

  private static void createDatabase(String database) {
    runOnAdminDatabase("CREATE DATABASE " + database);
    synchronized (CREATED) {
      CREATED.add(database);
    }
  }

  /**
   * Drops the databases and deletes the keys made so far (with {@code everyPrefix}, the keys of
   * every prefix ever handed out, for late writers). Returns what could not be removed.
   */
  static List<String> removeCreated(boolean everyPrefix) {
    List<String> databases;
    List<String> prefixes;
    List<Path> mediaDirs;
    synchronized (CREATED) {
      databases = List.copyOf(CREATED);
      prefixes = List.copyOf(everyPrefix ? ALL_PREFIXES : PREFIXES);
      mediaDirs = List.copyOf(MEDIA_DIRS);
      CREATED.removeAll(databases);
      PREFIXES.clear();
      MEDIA_DIRS.clear();
    }
    mediaDirs.forEach(TestEnv::deleteTree);
    if (databases.isEmpty() && prefixes.isEmpty()) {
      return List.of();
    }
    List<String> failed = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      for (String database : databases) {
        try {
          await(PgConnection.connect(vertx, Clients.pgConnectOptions(PG_BASE))
              .compose(conn -> conn.query("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)").execute().eventually(conn::close)));
        } catch (RuntimeException e) {
          failed.add(database + ": " + e.getMessage());
        }
      }
      if (!prefixes.isEmpty()) {
        Redis redis = Redis.createClient(vertx, REDIS_URL);
        try {
          for (String prefix : prefixes) {
            try {
              deleteKeys(redis, prefix);
            } catch (RuntimeException e) {
              failed.add(prefix + "*: " + e.getMessage());
            }
          }
        } finally {
          redis.close();
        }
      }
    } finally {
      await(vertx.close());
    }
    return failed;
  }

  /** Deletes a directory and what it holds, as far as it can (a leftover is never reused). */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // a file that cannot be deleted stays; the directory is never reused
    }
  }

  /** SCAN for the prefix's keys and UNLINK them, a page at a time (from a test thread). */
  public static void deleteKeys(Redis redis, String prefix) {
    String cursor = "0";
    do {
      Response page = await(redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + "*").arg("COUNT").arg(1000)));
      cursor = page.get(0).toString();
      Response keys = page.get(1);
      if (keys.size() > 0) {
        Request unlink = Request.cmd(Command.UNLINK);
        keys.forEach(key -> unlink.arg(key.toBuffer()));
        await(redis.send(unlink));
      }
    } while (!cursor.equals("0"));
  }

  private static void runOnAdminDatabase(String sql) {
    Vertx vertx = Vertx.vertx();
    try {
      PgConnectOptions options = Clients.pgConnectOptions(PG_BASE);
      await(PgConnection.connect(vertx, options)
          .compose(conn -> conn.query(sql).execute().eventually(conn::close)));
    } finally {
      await(vertx.close());
    }
  }
}
