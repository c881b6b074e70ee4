package dev.onsale.waitingroom;

import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.TestEnv.awaitOn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.ApiException;
import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Queue numbers: joins that arrive together share one script")
class QueueNumbersTest {

  private OnsaleConfig config;
  private Vertx vertx;
  private Redis redis;
  private final AtomicLong scripts = new AtomicLong();

  @BeforeEach
  void start() {
    config = TestEnv.freshConfig();
    vertx = Vertx.vertx();
    redis = new WaitingRoomInstance.CountingRedis(Clients.redis(vertx, config), scripts);
  }

  @AfterEach
  void stop() {
    Response keys = await(redis.send(Request.cmd(Command.KEYS).arg(config.redisPrefix() + "*")));
    for (Response key : keys) {
      await(redis.send(Request.cmd(Command.DEL).arg(key.toString())));
    }
    await(redis.close());
    await(vertx.close());
  }

  @Test
  @DisplayName("500 joins sent in one go: the first goes alone, the rest wait for it and go in batches of at most 256")
  void joinsWaitingTogetherGoTogether() {
    QueueNumbers numbers = new QueueNumbers(redis, new RedisKeys(config.redisPrefix()), 100);
    long now = System.currentTimeMillis();
    List<Future<Long>> taken = awaitOn(vertx.getOrCreateContext(), () -> {
      List<Future<Long>> all = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        all.add(numbers.take(7, "10.1.0." + (i % 10), now));
      }
      return Future.join(all).transform(ignored -> Future.succeededFuture(all));
    });

    // 10 addresses at 100 a minute: 50 each fit; every number once, in the order of arrival.
    List<Long> handedOut = new ArrayList<>();
    for (Future<Long> future : taken) {
      assertThat(future.succeeded()).as(String.valueOf(future.cause())).isTrue();
      handedOut.add(future.result());
    }
    assertThat(handedOut).isSorted().doesNotHaveDuplicates().startsWith(1L, 2L, 3L).endsWith(500L);
    // The NOSCRIPT miss of a fresh Redis may add a round trip; each batch is one otherwise.
    assertThat(scripts.get()).as("round trips for 500 joins").isBetween(3L, 5L);
  }

  @Test
  @DisplayName("an address over its limit is refused with a 429 and takes no number; the others in its batch go on")
  void overTheLimitInABatch() {
    QueueNumbers numbers = new QueueNumbers(redis, new RedisKeys(config.redisPrefix()), 2);
    long now = System.currentTimeMillis();
    List<Future<Long>> taken = awaitOn(vertx.getOrCreateContext(), () -> {
      List<Future<Long>> all = new ArrayList<>();
      for (String address : List.of("a", "b", "a", "a", "b", "c", "a")) {
        all.add(numbers.take(8, address, now));
      }
      return Future.join(all).transform(ignored -> Future.succeededFuture(all));
    });
    List<String> outcome = new ArrayList<>();
    for (Future<Long> future : taken) {
      outcome.add(future.succeeded() ? "#" + future.result() : String.valueOf(((ApiException) future.cause()).status()));
    }
    assertThat(outcome).containsExactly("#1", "#2", "#3", "429", "#4", "#5", "429");
  }
}
