package dev.onsale.common;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEnv;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The waiting room's slots and counters as the other modules read and change them")
class WaitingRoomStateTest {

  private static final long EVENT = 41;

  private Vertx vertx;
  private Redis redis;
  private RedisKeys.Event keys;
  private AdmissionSlots slots;

  @BeforeEach
  void start() {
    OnsaleConfig config = TestEnv.freshConfig();
    vertx = Vertx.vertx();
    redis = Clients.redis(vertx, config);
    RedisKeys all = new RedisKeys(config.redisPrefix());
    keys = all.event(EVENT);
    slots = new AdmissionSlots(redis, all);
  }

  @AfterEach
  void stop() {
    await(redis.send(Request.cmd(Command.DEL).arg(keys.activeShoppers()).arg(keys.arrivals()).arg(keys.serving())));
    redis.close();
    await(vertx.close());
  }

  @Test
  @DisplayName("a slot is live until it lapses, is kept longer only while it exists, and is gone once freed")
  void slots() {
    long now = 1_000_000;
    await(redis.send(Request.cmd(Command.ZADD).arg(keys.activeShoppers()).arg(now + 5_000).arg(3).arg(now - 1).arg(4)));

    assertThat(await(slots.live(EVENT, 3, now))).isTrue();
    assertThat(await(slots.live(EVENT, 4, now))).as("lapsed").isFalse();
    assertThat(await(slots.live(EVENT, 9, now))).as("never admitted").isFalse();
    assertThat(await(redis.send(AdmissionSlots.countLive(keys, now))).toLong()).isEqualTo(1);

    await(slots.keepUntil(EVENT, 3, now + 60_000));
    await(slots.keepUntil(EVENT, 9, now + 60_000));
    assertThat(await(slots.live(EVENT, 3, now + 30_000))).isTrue();
    assertThat(await(slots.live(EVENT, 9, now))).as("keeping does not create a slot").isFalse();

    await(redis.send(AdmissionSlots.dropLapsed(keys, now)));
    assertThat(await(redis.send(AdmissionSlots.count(keys))).toLong()).as("the lapsed one taken back").isEqualTo(1);
    await(slots.free(EVENT, 3));
    assertThat(await(slots.live(EVENT, 3, now))).isFalse();
  }

  @Test
  @DisplayName("the counters read as joined, waiting and admitted, zero before anyone joined")
  void counters() {
    assertThat(await(QueueCounts.read(redis, keys))).isEqualTo(new QueueCounts(0, 0));
    await(redis.send(Request.cmd(Command.SET).arg(keys.arrivals()).arg(10)));
    await(redis.send(Request.cmd(Command.SET).arg(keys.serving()).arg(4)));
    QueueCounts counts = await(QueueCounts.read(redis, keys));
    assertThat(counts.waiting()).isEqualTo(6);
    assertThat(counts.admitted()).isEqualTo(4);
    assertThat(new QueueCounts(3, 5).admitted()).as("serving ahead of the last arrival").isEqualTo(3);
    assertThat(new QueueCounts(3, 5).waiting()).isZero();
  }
}
