package dev.onsale.app;

import dev.onsale.common.testing.DisposableRedis;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Onsale as a real operating-system process, so a test can SIGKILL or SIGTERM it. Runs
 * {@code java -jar} on the jar named by the system property {@code onsale.jar} (for example
 * {@code app/target/onsale.jar}) when given, otherwise the launcher on this test's own class path:
 * the same code without a stale jar.
 */
final class OnsaleProcess implements AutoCloseable {

  private final Process process;
  private final Path log;
  private final int port;

  private OnsaleProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  static OnsaleProcess start(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    String jar = System.getProperty("onsale.jar");
    if (jar != null && !jar.isBlank()) {
      command.addAll(List.of("-jar", new File(jar).getAbsolutePath()));
    } else {
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), Onsale.class.getName()));
    }
    command.addAll(List.of(args));
    org.slf4j.LoggerFactory.getLogger(OnsaleProcess.class).info("starting onsale {} from {}", String.join(" ", args),
        jar != null && !jar.isBlank() ? jar : "the test class path");
    try {
      Path log = Files.createTempFile("onsale-process-", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().keySet().removeIf(k -> k.startsWith("ONSALE_"));
      builder.environment().putAll(env);
      return new OnsaleProcess(builder.start(), log, Integer.parseInt(env.getOrDefault("ONSALE_HTTP_PORT", "0")));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** Waits until the instance answers HTTP, or fails with its log. */
  OnsaleProcess awaitReady(int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("onsale exited with " + process.exitValue() + ":\n" + log());
      }
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        return this;
      } catch (IOException notYet) {
        DisposableRedis.sleep(200);
      }
    }
    throw new AssertionError("onsale did not listen on " + port + " within " + seconds + " s:\n" + log());
  }

  /** Exit code, or null when it is still running after {@code seconds}. */
  Integer awaitExit(int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: the process is gone at once, nothing runs. */
  void kill() {
    process.destroyForcibly();
    awaitExit(30);
  }

  /** SIGTERM: the JVM runs its shutdown hooks. */
  void terminate() {
    process.destroy();
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      awaitExit(30);
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // a leftover log in the temp directory is harmless
    }
  }
}
