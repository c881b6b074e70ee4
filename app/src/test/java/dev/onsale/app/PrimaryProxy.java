package dev.onsale.app;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.testing.TestEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A connection point that moves: haproxy on a loopback port, in front of two PostgreSQL servers,
 * sending connections only to the one that is a primary. {@code option pgsql-check} cannot tell a
 * primary from a replica, so the health check speaks the PostgreSQL protocol itself (trust
 * authentication): it asks {@code SELECT pg_is_in_recovery()} and passes only on {@code f}. A
 * server that goes down has its sessions cut, so pooled connections to it fail at once instead of
 * hanging, and a refused connection is not retried: haproxy waits a second before each retry,
 * which would hold the client's pool slots for seconds while the client can as well try again
 * itself. haproxy runs as this JVM's child; {@link #close} (and a shutdown hook) ends it.
 */
final class PrimaryProxy implements AutoCloseable {

  private static final int STABLE_ANSWERS = 10;

  static final Path BINARY = Path.of("/usr/sbin/haproxy");

  private final int port = TestEnv.freePort();
  private final Path dir;
  private Process process;
  private final Thread shutdownHook = new Thread(this::stopProcess, "haproxy-stop");

  private PrimaryProxy(Path dir) {
    this.dir = dir;
  }

  static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /** Starts haproxy in front of the given servers (in {@code dir}, next to them) and waits until it routes to a primary. */
  static PrimaryProxy start(Path dir, int... serverPorts) {
    PrimaryProxy proxy = new PrimaryProxy(dir);
    try {
      Path config = dir.resolve("haproxy.cfg");
      Files.writeString(config, proxy.config(serverPorts));
      proxy.process = new ProcessBuilder(BINARY.toString(), "-db", "-f", config.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
      Runtime.getRuntime().addShutdownHook(proxy.shutdownHook);
      // scripts/drop-stale-test-data.sh ends a haproxy that a killed JVM left, by this file.
      Files.writeString(dir.resolve("haproxy.pid"), String.valueOf(proxy.process.pid()));
      proxy.awaitRouting();
      return proxy;
    } catch (IOException | RuntimeException e) {
      proxy.close();
      throw new IllegalStateException("haproxy did not start: " + proxy.log(), e);
    }
  }

  int port() {
    return port;
  }

  /** The port of the server haproxy sends a new connection to now, or -1 when it has none. */
  int routesTo() {
    String answer = ReplicatedPostgres.sql(port, "SELECT inet_server_port()");
    return answer.matches("\\d+") ? Integer.parseInt(answer) : -1;
  }

  String log() {
    try {
      return Files.readString(dir.resolve("haproxy.log"));
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Waits until every new connection goes to the same server for a while. haproxy starts with every
   * server up and marks the replica down only after its first checks: a connection routed to it
   * meanwhile is cut when it is marked down ({@code shutdown-sessions}), as Onsale's first one was
   * in a CI run. Ten answers 100 ms apart from one server (two up servers alternate) cover the
   * replica's three failed checks 200 ms apart.
   */
  private void awaitRouting() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int server = -1;
    int sameInARow = 0;
    while (System.nanoTime() < deadline) {
      int now = routesTo();
      if (now <= 0) {
        sameInARow = 0;
      } else {
        sameInARow = now == server ? sameInARow + 1 : 1;
      }
      server = now;
      if (sameInARow >= STABLE_ANSWERS) {
        return;
      }
      DisposableRedis.sleep(100);
    }
    throw new IllegalStateException("haproxy does not route to one server: " + log());
  }

  private String config(int... serverPorts) {
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < serverPorts.length; i++) {
      servers.append("  server pg").append(i).append(" 127.0.0.1:").append(serverPorts[i]).append(" check\n");
    }
    return """
        global
          log stderr format short local0 info
          maxconn 512
        defaults
          mode tcp
          log global
          timeout connect 1s
          timeout client 1h
          timeout server 1h
          timeout check 2s
          retries 0
        listen postgres
          bind 127.0.0.1:%d
          option tcp-check
          tcp-check connect
          tcp-check send-binary %s
          tcp-check send-binary %s
          tcp-check send-binary %s
          tcp-check expect binary %s
          default-server inter 200ms fall 3 rise 1 on-marked-down shutdown-sessions
        %s""".formatted(port, hex(startupMessage()), hex(message('Q', "SELECT pg_is_in_recovery()\0")),
        hex(message('X', "")), hex(dataRowOf("f")), servers);
  }

  /** Protocol 3.0 start-up as user postgres on database postgres; trust answers it at once. */
  private static byte[] startupMessage() {
    byte[] body = ("user\0postgres\0database\0postgres\0application_name\0haproxy-check\0\0")
        .getBytes(StandardCharsets.US_ASCII);
    return java.nio.ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt(196608).put(body).array();
  }

  /** A frontend message; the check sends Terminate after its query so the server closes and a mismatch fails at once. */
  private static byte[] message(char type, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    return java.nio.ByteBuffer.allocate(5 + bytes.length).put((byte) type).putInt(4 + bytes.length).put(bytes).array();
  }

  /** The DataRow of a one-column row holding {@code value}. */
  private static byte[] dataRowOf(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    return java.nio.ByteBuffer.allocate(11 + bytes.length).put((byte) 'D').putInt(10 + bytes.length)
        .putShort((short) 1).putInt(bytes.length).put(bytes).array();
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private void stopProcess() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stopProcess();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException ignored) {
      // already shutting down, or never registered
    }
  }
}
