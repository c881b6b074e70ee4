package dev.onsale.app;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.testing.TestEnv;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Redis servers and sentinels of a test's own, from Debian's packages: each on a free loopback port
 * with its own temporary directory, killed and removed on {@link #close()} and, should the test JVM
 * end first, by a shutdown hook. The machine's own Redis (6379) is never touched.
 */
final class RedisProcesses implements AutoCloseable {

  static final Path SERVER = DisposableRedis.SERVER;
  static final Path CLI = Path.of("/usr/bin/redis-cli");

  private final Map<Integer, Process> processes = new LinkedHashMap<>();
  private final List<Path> dirs = new ArrayList<>();
  private final Map<Integer, Path> logDirs = new java.util.HashMap<>();
  private final Thread hook = new Thread(this::close);

  RedisProcesses() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  static boolean available() {
    return Files.isExecutable(SERVER) && Files.isExecutable(CLI);
  }

  /**
   * A port whose neighbour 10,000 above is free too (a Cluster node's bus), kept below 55,536 so
   * that neighbour exists.
   */
  static int freePortWithBus() {
    for (int tries = 0; tries < 200; tries++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 45_000);
      if (free(port) && free(port + 10_000)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port pair found");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Starts {@code redis-server} with these arguments on {@code port} and waits until it answers. */
  synchronized void server(int port, String... args) {
    Path dir = tempDir();
    List<String> command = new ArrayList<>(List.of(SERVER.toString(), "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no", "--save", "", "--appendonly", "no"));
    command.addAll(List.of(args));
    start(port, dir, command);
  }

  /** Starts a sentinel on {@code port} with this configuration (written to its own file, which it rewrites). */
  synchronized void sentinel(int port, String configuration) {
    Path dir = tempDir();
    Path file = dir.resolve("sentinel.conf");
    try {
      Files.writeString(file, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\n" + configuration);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    start(port, dir, List.of(SERVER.toString(), file.toString(), "--sentinel"));
  }

  private void start(int port, Path dir, List<String> command) {
    try {
      logDirs.put(port, dir);
      processes.put(port, new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("log").toFile()).start());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    awaitCli(port, "PONG"::equals, 20, "ping");
  }

  /** What the server on {@code port} has logged so far (empty when it wrote nothing). */
  synchronized String log(int port) {
    Path dir = logDirs.get(port);
    try {
      return dir == null ? "" : Files.readString(dir.resolve("log"));
    } catch (IOException e) {
      return "";
    }
  }

  /** SIGKILL: the server is gone at once, with whatever it had not yet sent its replicas. */
  synchronized void kill(int port) {
    Process process = processes.remove(port);
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Runs redis-cli against a port and returns its output (an empty string when it does not answer). */
  static String cli(int port, String... args) {
    List<String> command = new ArrayList<>(List.of(CLI.toString(), "-h", "127.0.0.1", "-p", String.valueOf(port)));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Polls a redis-cli command until its output passes, or fails after {@code seconds}. */
  static String awaitCli(int port, Predicate<String> done, int seconds, String... args) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String out = "";
    while (System.nanoTime() < deadline) {
      out = cli(port, args);
      if (done.test(out)) {
        return out;
      }
      DisposableRedis.sleep(100);
    }
    throw new AssertionError("redis-cli -p " + port + " " + String.join(" ", args) + " did not get there within "
        + seconds + " s; last answer: " + out);
  }

  private Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("onsale-redis-");
      dirs.add(dir);
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    for (Integer port : new ArrayList<>(processes.keySet())) {
      kill(port);
    }
    dirs.forEach(TestEnv::deleteTree);
    dirs.clear();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
  }
}
