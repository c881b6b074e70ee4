package dev.onsale.app;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.testing.TestEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Two Debian PostgreSQL 15 clusters of a test's own: a primary ({@code 15/onsale_fo_<id>_a}) and
 * its streaming replica ({@code _b}, made with {@code pg_basebackup}), with synchronous replication
 * so that a commit is acknowledged only once the replica has it. Data and logs live in a temp
 * directory; the shared cluster 15/main is never touched. {@link #close} drops both clusters
 * whatever state they are in; a JVM shutdown hook does it too, and
 * {@code scripts/drop-stale-test-data.sh} drops what a killed JVM left (hence the name prefix).
 */
final class ReplicatedPostgres implements AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplicatedPostgres.class);

  static final String VERSION = "15";
  static final String NAME_PREFIX = "onsale_fo_";

  private final String name = NAME_PREFIX + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final Path dir;
  private final int primaryPort = TestEnv.freePort();
  private final int replicaPort = TestEnv.freePort();
  private final Thread shutdownHook = new Thread(this::dropClusters, "drop-" + name);
  private boolean dropped;

  private ReplicatedPostgres(Path dir) {
    this.dir = dir;
  }

  /** True when this machine can make them: Debian's cluster tools, the postgres user, and root to use them. */
  static boolean available() {
    return Files.isExecutable(Path.of("/usr/bin/pg_createcluster"))
        && Files.isExecutable(Path.of("/usr/lib/postgresql/" + VERSION + "/bin/pg_basebackup"))
        && Files.isExecutable(Path.of("/usr/sbin/runuser"))
        && "0".equals(output(List.of("id", "-u"), 10).strip())
        && DisposablePostgres.run(List.of("id", "-u", "postgres"), 10) == 0;
  }

  /** Creates and starts the primary, then the replica, and waits until the primary replicates to it synchronously. */
  static ReplicatedPostgres start() {
    try {
      Path dir = Files.createTempDirectory("onsale-fo-");
      ReplicatedPostgres pg = new ReplicatedPostgres(dir);
      Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
      try {
        pg.startPair();
      } catch (RuntimeException e) {
        pg.close();
        throw e;
      }
      return pg;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void startPair() {
    long started = System.nanoTime();
    check(DisposablePostgres.run(List.of("chown", "postgres:postgres", dir.toString()), 10), "chown " + dir);
    create(primary(), primaryPort, "synchronous_standby_names = '*'\n");
    ctl(primary(), "start");
    long primaryUp = System.nanoTime();
    // The replica's configuration lives in /etc (Debian's layout): pg_basebackup copies only the
    // data, so the replica does not inherit synchronous_standby_names and, once promoted, does not
    // wait for a standby it does not have.
    // pg_createcluster adopts an existing data directory only if it carries its own postgresql.conf,
    // which a base backup of a Debian cluster does not: the cluster is made empty, then replaced.
    create(replica(), replicaPort, "");
    TestEnv.deleteTree(dataDir(replica()));
    asPostgres(120, "/usr/lib/postgresql/" + VERSION + "/bin/pg_basebackup", "-h", "127.0.0.1",
        "-p", String.valueOf(primaryPort), "-U", "postgres", "-D", dataDir(replica()).toString(),
        "-R", "-X", "stream", "-c", "fast");
    ctl(replica(), "start");
    awaitSql(primaryPort, "SELECT string_agg(sync_state, ',') FROM pg_stat_replication", "sync", 30);
    LOG.info("clusters {} (port {}) and {} (port {}, synchronous replica) up in {} ms, the primary in {} ms",
        primary(), primaryPort, replica(), replicaPort, (System.nanoTime() - started) / 1_000_000,
        (primaryUp - started) / 1_000_000);
  }

  /** The first primary's port (dead after {@link #killPrimary}). */
  int primaryPort() {
    return primaryPort;
  }

  /** The replica's port (the primary after {@link #promoteReplica}). */
  int replicaPort() {
    return replicaPort;
  }

  Path dir() {
    return dir;
  }

  String primary() {
    return name + "_a";
  }

  String replica() {
    return name + "_b";
  }

  /** The URL of a database on one of the two servers, bypassing any proxy. */
  static String url(int port, String database) {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + database;
  }

  /**
   * The primary's postmaster gets SIGKILL, as when its machine dies: no shutdown checkpoint, no
   * goodbye to clients; its backends notice the postmaster is gone and exit.
   */
  void killPrimary() {
    long pid = Long.parseLong(readLines(dataDir(primary()).resolve("postmaster.pid")).get(0).strip());
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  /** Promotes the replica and returns once it accepts writes. */
  void promoteReplica() {
    ctl(replica(), "promote");
    awaitSql(replicaPort, "SELECT pg_is_in_recovery()", "f", 30);
  }

  /** The first column of the first row of a query, as psql prints it (or psql's error). */
  static String sql(int port, String query) {
    // A connect timeout: the output is read to its end before the process is waited for.
    String server = "host=127.0.0.1 port=" + port + " user=postgres dbname=postgres connect_timeout=5";
    return output(List.of("/usr/bin/psql", server, "-Atqc", query), 30).strip();
  }

  private void awaitSql(int port, String query, String expected, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String last = "";
    while (System.nanoTime() < deadline) {
      last = sql(port, query);
      if (last.equals(expected)) {
        return;
      }
      DisposableRedis.sleep(100);
    }
    throw new IllegalStateException(query + " on port " + port + " gave '" + last + "', not '" + expected + "'");
  }

  private void create(String cluster, int port, String extraSettings) {
    Path log = dir.resolve(cluster + ".log");
    asRoot(120, "pg_createcluster", VERSION, cluster, "-d", dataDir(cluster).toString(), "-l", log.toString(),
        "-p", String.valueOf(port), "--start-conf", "manual", "--", "-A", "trust", "--no-sync");
    // fsync off: the test kills a process, not the machine, and shares its disk with other builds.
    String settings = "listen_addresses = '127.0.0.1'\nfsync = off\nmax_connections = 60\n" + extraSettings;
    try {
      Files.writeString(configDir(cluster).resolve("conf.d").resolve("onsale-failover.conf"), settings);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void ctl(String cluster, String action) {
    asRoot(60, "pg_ctlcluster", "--skip-systemctl-redirect", VERSION, cluster, action);
  }

  private Path dataDir(String cluster) {
    return dir.resolve(cluster.substring(cluster.length() - 1));
  }

  private static Path configDir(String cluster) {
    return Path.of("/etc/postgresql", VERSION, cluster);
  }

  /** Stops and drops both clusters and removes every file they had, including what pg_dropcluster leaves. */
  private synchronized void dropClusters() {
    if (dropped) {
      return;
    }
    dropped = true;
    for (String cluster : List.of(primary(), replica())) {
      DisposablePostgres.run(List.of("pg_dropcluster", "--stop", VERSION, cluster), 60);
      // pg_dropcluster keeps a config directory holding files it did not write (our conf.d file)
      // and a killed server's external pid file.
      TestEnv.deleteTree(configDir(cluster));
      try {
        Files.deleteIfExists(Path.of("/var/run/postgresql", VERSION + "-" + cluster + ".pid"));
      } catch (IOException ignored) {
        // nothing reads a stale pid file of a cluster that no longer exists
      }
    }
    TestEnv.deleteTree(dir);
  }

  @Override
  public void close() {
    dropClusters();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException ignored) {
      // the JVM is already shutting down and runs the hook itself
    }
  }

  private void asPostgres(int timeoutSeconds, String... command) {
    List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(List.of(command));
    asRoot(timeoutSeconds, full.toArray(String[]::new));
  }

  private void asRoot(int timeoutSeconds, String... command) {
    Path log = dir.resolve("commands.log");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " took over " + timeoutSeconds + " s");
      }
      check(process.exitValue(), String.join(" ", command) + " (output: " + tail(log) + ")");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String tail(Path log) {
    List<String> lines = readLines(log);
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void check(int exit, String what) {
    if (exit != 0) {
      throw new IllegalStateException(what + " exited with " + exit);
    }
  }

  static String output(List<String> command, int timeoutSeconds) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "";
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
