package dev.onsale.common;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), so that a hot path sends a few bytes instead of
 * the script and Redis skips hashing it. A Redis that does not know the script yet (restarted,
 * flushed, another instance) answers {@code NOSCRIPT}: the script is then sent whole with
 * {@code EVAL}, which also loads it for the next calls.
 */
public final class RedisScript {

  private final String source;
  private final String sha;

  public RedisScript(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  public Future<Response> run(Redis redis, List<String> keys, Object... args) {
    return redis.send(request(Command.EVALSHA, sha, keys, args))
        .recover(e -> isNoScript(e)
            ? redis.send(request(Command.EVAL, source, keys, args))
            : Future.failedFuture(e));
  }

  /** Runs the script, then waits until the replicas hold what it wrote (see {@link ReplicaWait}). */
  public Future<Response> run(Redis redis, ReplicaWait wait, List<String> keys, Object... args) {
    if (!wait.on()) {
      return run(redis, keys, args);
    }
    return wait.batch(redis, List.of(request(Command.EVALSHA, sha, keys, args)))
        .recover(e -> isNoScript(e)
            ? wait.batch(redis, List.of(request(Command.EVAL, source, keys, args)))
            : Future.failedFuture(e))
        .map(replies -> replies.get(0));
  }

  private static Request request(Command command, String script, List<String> keys, Object[] args) {
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
