package dev.onsale.common.testing;

import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Gives each test its own PostgreSQL database and Redis key prefix against the real local services,
 * so that runs never see each other's data. Databases are dropped when the JVM exits.
 */
public final class TestEnv {

  public static final String PG_BASE = System.getenv().getOrDefault(
      "ONSALE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres");
  public static final String REDIS_URL = System.getenv().getOrDefault(
      "ONSALE_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  private static final List<String> CREATED = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TestEnv::dropCreatedDatabases));
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
    Map<String, String> settings = new HashMap<>();
    settings.put("ONSALE_PG_URL", PG_BASE.substring(0, PG_BASE.lastIndexOf('/') + 1) + database);
    settings.put("ONSALE_REDIS_URL", REDIS_URL);
    settings.put("ONSALE_REDIS_PREFIX", "test:" + id + ":");
    settings.put("ONSALE_HTTP_PORT", String.valueOf(freePort()));
    settings.put("ONSALE_ADMIN_TOKEN", "test-admin-token-0123456789");
    settings.put("ONSALE_TOKEN_SECRET", "test-token-secret-0123456789-0123456789");
    settings.put("ONSALE_MEDIA_DIR", System.getProperty("java.io.tmpdir") + "/onsale-test-media-" + id);
    settings.putAll(overrides);
    return OnsaleConfig.fromMap(settings);
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

  private static void dropCreatedDatabases() {
    List<String> databases;
    synchronized (CREATED) {
      databases = List.copyOf(CREATED);
    }
    for (String database : databases) {
      try {
        runOnAdminDatabase("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      } catch (RuntimeException ignored) {
        // Best effort at exit: a leftover database is harmless, it is never reused.
      }
    }
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
