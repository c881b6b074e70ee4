package dev.onsale.common;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEnv;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RedisScript: runs by SHA-1, loads itself where Redis does not know it")
class RedisScriptTest {

  private Vertx vertx;
  private Redis redis;
  private String key;

  @BeforeEach
  void start() {
    OnsaleConfig config = TestEnv.freshConfig();
    vertx = Vertx.vertx();
    redis = Clients.redis(vertx, config);
    key = config.redisPrefix() + "script-test";
  }

  @AfterEach
  void stop() {
    await(redis.send(Request.cmd(Command.DEL).arg(key)));
    redis.close();
    await(vertx.close());
  }

  @Test
  @DisplayName("a script Redis has never seen runs (EVAL after NOSCRIPT), then runs by its SHA-1")
  void unknownScriptIsLoaded() {
    // A comment unique to this run: no Redis has this script cached.
    RedisScript script = new RedisScript("-- " + UUID.randomUUID() + "\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])");
    assertThat(await(script.run(redis, List.of(key), 5)).toLong()).isEqualTo(5);
    assertThat(await(script.run(redis, List.of(key), 2)).toLong()).isEqualTo(7);
  }

  @Test
  @DisplayName("a batch of calls of a script Redis has never seen runs once each (EVAL after NOSCRIPT), then runs by its SHA-1")
  void unknownScriptRunsInABatch() {
    String other = key + ":other";
    // Adds ARGV[2] to KEYS[1] once per marker KEYS[2]: a second run of a call changes nothing.
    RedisScript script = new RedisScript("-- " + UUID.randomUUID() + """

        if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', 60000) then return false end
        return redis.call('INCRBY', KEYS[1], ARGV[1])""");
    try {
      List<Response> first = await(script.runAll(redis, ReplicaWait.NONE, List.of(
          new RedisScript.Call(List.of(key, key + ":a"), List.of(5)),
          new RedisScript.Call(List.of(other, other + ":a"), List.of(3)))));
      assertThat(first).extracting(Response::toLong).containsExactly(5L, 3L);

      List<Response> second = await(script.runAll(redis, ReplicaWait.NONE, List.of(
          new RedisScript.Call(List.of(key, key + ":a"), List.of(5)),
          new RedisScript.Call(List.of(key, key + ":b"), List.of(2)))));
      assertThat(second.get(0)).isNull();
      assertThat(second.get(1).toLong()).isEqualTo(7);
      assertThat(await(script.runAll(redis, ReplicaWait.NONE, List.of()))).isEmpty();
    } finally {
      await(redis.send(Request.cmd(Command.DEL).arg(other).arg(key + ":a").arg(key + ":b").arg(other + ":a")));
    }
  }

  @Test
  @DisplayName("an error raised by the script itself is passed on, not retried")
  void scriptErrorIsPassedOn() {
    RedisScript script = new RedisScript("return redis.call('INCRBY', KEYS[1], 'not a number')");
    Throwable failure = await(script.run(redis, List.of(key)).<Throwable>map(ignored -> null).otherwise(e -> e));
    assertThat(failure).isNotNull();
    assertThat(await(redis.send(Request.cmd(Command.EXISTS).arg(key))).toInteger()).isZero();
  }
}
