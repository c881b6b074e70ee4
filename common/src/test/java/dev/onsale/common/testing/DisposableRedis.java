package dev.onsale.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis server of a test's own, on a free loopback port, that the test may stop, kill and restart
 * without touching the shared server. With {@code keepsData} it writes an append-only file, so a
 * restart comes back with every key; without it a restart comes back empty. For the tests of Redis
 * outages and data loss in every module.
 */
public final class DisposableRedis implements AutoCloseable {

  public static final Path SERVER = Path.of("/usr/bin/redis-server");

  private final Path dir;
  private final int port;
  private boolean keepsData;
  private Process process;

  private DisposableRedis(Path dir, int port, boolean keepsData) {
    this.dir = dir;
    this.port = port;
    this.keepsData = keepsData;
  }

  public static boolean available() {
    return Files.isExecutable(SERVER);
  }

  public static DisposableRedis start(boolean keepsData) {
    try {
      DisposableRedis redis = new DisposableRedis(Files.createTempDirectory("onsale-redis-"),
          TestEnv.freePort(), keepsData);
      redis.startServer();
      return redis;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public synchronized void startServer() {
    List<String> command = new ArrayList<>(List.of(SERVER.toString(), "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--daemonize", "no",
        "--appendonly", keepsData ? "yes" : "no"));
    if (keepsData) {
      command.addAll(List.of("--appendfsync", "always"));
    }
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log").toFile())).start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (answersPing()) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException("redis-server on port " + port + " did not start");
  }

  private boolean answersPing() {
    try {
      Process p = new ProcessBuilder("redis-cli", "-p", String.valueOf(port), "ping").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return out.equals("PONG");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGTERM: Redis exits cleanly (with the append-only file flushed when it keeps data). */
  public synchronized void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      waitFor(process);
    }
  }

  /** SIGKILL: Redis is gone at once. */
  public synchronized void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      waitFor(process);
    }
  }

  public void restart() {
    startServer();
  }

  /** Starts again, with or without the append-only file from now on (without it, it comes back empty). */
  public synchronized void restart(boolean keepsData) {
    this.keepsData = keepsData;
    startServer();
  }

  /** Runs a redis-cli command against this server and returns its output. */
  public String cli(String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    kill();
    TestEnv.deleteTree(dir);
  }

  private static void waitFor(Process p) {
    try {
      p.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sleeps in the test thread, giving up quietly when interrupted. */
  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
