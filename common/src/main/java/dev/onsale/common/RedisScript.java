package dev.onsale.common;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), so that a hot path sends a few bytes instead of
 * the script and Redis skips hashing it. A Redis that does not know the script yet (restarted,
 * flushed, another instance) answers {@code NOSCRIPT}: the script is then sent whole with
 * {@code EVAL}, which also loads it for the next calls.
 *
 * <p>Every Lua script of every module runs through here: none is sent whole on each call.
 */
public final class RedisScript {

  private final String source;
  private final String sha;

  public RedisScript(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  /** One run of the script in a batch (see {@link #runAll}): its keys and its arguments. */
  public record Call(List<String> keys, List<?> args) {}

  public Future<Response> run(Redis redis, List<String> keys, Object... args) {
    List<?> arguments = Arrays.asList(args);
    return redis.send(request(Command.EVALSHA, sha, keys, arguments))
        .recover(e -> isNoScript(e)
            ? redis.send(request(Command.EVAL, source, keys, arguments))
            : Future.failedFuture(e));
  }

  /** Runs the script, then waits until the replicas hold what it wrote (see {@link ReplicaWait}). */
  public Future<Response> run(Redis redis, ReplicaWait wait, List<String> keys, Object... args) {
    if (!wait.on()) {
      return run(redis, keys, args);
    }
    return runAll(redis, wait, List.of(new Call(keys, Arrays.asList(args))))
        .map(replies -> replies.get(0));
  }

  /**
   * Runs the script once per call, pipelined in one batch, then waits until the replicas hold what
   * it wrote (see {@link ReplicaWait}); answers the calls' replies in order.
   *
   * <p>One {@code NOSCRIPT} fails the whole batch, and which calls ran is not known: the whole
   * batch is then sent again with the script whole. The calls that had run run a second time (with
   * one call none had: its {@code NOSCRIPT} means it did not run), so a batch of several calls is
   * only for a script that a second run with the same keys and arguments leaves as the first left
   * it (one that writes a marker before its work, say), and for a caller that does not need the
   * first run's reply. On a Cluster the batch goes as separate commands, each to the
   * node of its keys ({@link EventLoopRedis}), and {@code EVAL} loads the script on each node that
   * lacked it.
   */
  public Future<List<Response>> runAll(Redis redis, ReplicaWait wait, List<Call> calls) {
    if (calls.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return wait.batch(redis, requests(Command.EVALSHA, sha, calls))
        .recover(e -> isNoScript(e)
            ? wait.batch(redis, requests(Command.EVAL, source, calls))
            : Future.failedFuture(e));
  }

  private static List<Request> requests(Command command, String script, List<Call> calls) {
    List<Request> requests = new ArrayList<>(calls.size());
    for (Call call : calls) {
      requests.add(request(command, script, call.keys(), call.args()));
    }
    return requests;
  }

  private static Request request(Command command, String script, List<String> keys, List<?> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    for (Object arg : args) {
      request.arg(String.valueOf(arg));
    }
    return request;
  }

  private static boolean isNoScript(Throwable e) {
    // A batch reports it as "ERR [0] NOSCRIPT ...".
    return e != null && e.getMessage() != null && e.getMessage().contains("NOSCRIPT");
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }
}
