package dev.onsale.app;

import dev.onsale.common.testing.TestEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of a test's own, on a free loopback port, that the test may stop, crash and
 * restart without touching the shared server other tests use. Runs as the {@code postgres} OS user.
 */
public final class DisposablePostgres implements AutoCloseable {

  static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  private final Path dir;
  private final Path data;
  private final int port;

  private DisposablePostgres(Path dir, int port) {
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
  }

  /** True when this machine can run one: the binaries and the postgres user exist. */
  public static boolean available() {
    return Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("pg_ctl"))
        && Files.isExecutable(Path.of("/usr/sbin/runuser")) && run(List.of("id", "-u", "postgres"), 10) == 0;
  }

  /** Initialises a fresh cluster and starts it. */
  public static DisposablePostgres start() {
    try {
      Path dir = Files.createTempDirectory("onsale-pg-");
      DisposablePostgres pg = new DisposablePostgres(dir, dev.onsale.common.testing.TestEnv.freePort());
      check(run(List.of("chown", "-R", "postgres:postgres", dir.toString()), 10), "chown");
      pg.asPostgres(60, BIN.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "postgres",
          "-A", "trust", "--no-sync", "-E", "UTF8");
      pg.startServer();
      return pg;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  /** The URL of a database in this cluster (the default {@code postgres} database). */
  public String url(String database) {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + database;
  }

  public void createDatabase(String name) {
    asPostgres(30, "/usr/bin/psql",
        "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "postgres", "-c", "CREATE DATABASE " + name);
  }

  public void startServer() {
    asPostgres(60, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
        "-w", "-t", "30", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
            + " -c max_connections=60", "start");
  }

  /** A clean stop: open connections are terminated, the data stays. */
  public void stop() {
    asPostgres(60, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "30", "-m", "fast", "stop");
  }

  /** A crash: every server process exits at once without a checkpoint; restart runs recovery. */
  public void crash() {
    asPostgres(60, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "30", "-m", "immediate", "stop");
  }

  public void restart() {
    startServer();
  }

  public boolean running() {
    return run(List.of("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", data.toString(),
        "status"), 10) == 0;
  }

  @Override
  public void close() {
    if (running()) {
      crash();
    }
    TestEnv.deleteTree(dir);
  }

  private void asPostgres(int timeoutSeconds, String... command) {
    List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(List.of(command));
    check(run(full, timeoutSeconds), String.join(" ", command));
  }

  private static void check(int exit, String what) {
    if (exit != 0) {
      throw new IllegalStateException(what + " exited with " + exit);
    }
  }

  static int run(List<String> command, int timeoutSeconds) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return -1;
      }
      return process.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

}
