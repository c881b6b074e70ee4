package dev.onsale.common;

import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.TestEnv.awaitOn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEnv;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EventLoopRedis: one pipelined connection per event loop, connected again when it ends")
class EventLoopRedisTest {

  private Vertx vertx;
  private EventLoopRedis redis;
  private String key;

  @BeforeEach
  void start() {
    OnsaleConfig config = TestEnv.freshConfig();
    vertx = Vertx.vertx();
    redis = (EventLoopRedis) Clients.redis(vertx, config);
    key = config.redisPrefix() + "loop-test";
  }

  @AfterEach
  void stop() {
    await(redis.send(Request.cmd(Command.DEL).arg(key)));
    await(redis.close());
    await(vertx.close());
  }

  @Test
  @DisplayName("many commands sent at once from one event loop share one connection and all succeed")
  void commandsOfOneLoopShareOneConnection() {
    Context loop = vertx.getOrCreateContext();
    List<Response> replies = awaitOn(loop, () -> {
      List<Future<Response>> sent = new ArrayList<>();
      for (int i = 0; i < 1500; i++) {
        sent.add(redis.send(Request.cmd(Command.INCR).arg(key)));
      }
      sent.add(redis.send(Request.cmd(Command.CLIENT).arg("ID")));
      sent.add(redis.send(Request.cmd(Command.CLIENT).arg("ID")));
      return Future.all(sent).map(all -> all.<Response>list());
    });
    assertThat(replies.get(1499).toLong()).isEqualTo(1500);
    assertThat(replies.get(1500).toLong()).as("the connection of both CLIENT ID").isEqualTo(replies.get(1501).toLong());
    assertThat(redis.connectionsHeld()).isEqualTo(1);

    // More at once than one connection's pipeline takes (2,048 by default): the rest go to the pool.
    List<Response> burst = awaitOn(loop, () -> {
      List<Future<Response>> sent = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        sent.add(redis.send(Request.cmd(Command.INCR).arg(key)));
      }
      return Future.all(sent).map(all -> all.<Response>list());
    });
    assertThat(burst).hasSize(5000);
    // From a thread that is no event loop, the pool answers.
    assertThat(await(redis.send(Request.cmd(Command.GET).arg(key))).toLong()).isEqualTo(6500);
  }

  @Test
  @DisplayName("a connection killed by Redis is replaced: later commands from its loop succeed on a new one")
  void killedConnectionIsReplaced() throws InterruptedException {
    Context loop = vertx.getOrCreateContext();
    long first = awaitOn(loop, () -> redis.send(Request.cmd(Command.CLIENT).arg("ID"))).toLong();
    await(redis.send(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(first)));
    Long second = null;
    for (int attempt = 0; attempt < 50 && second == null; attempt++) {
      // A command sent before the loop noticed the end may fail, as it would have with the pool.
      second = awaitOn(loop, () -> redis.send(Request.cmd(Command.CLIENT).arg("ID")).map(Response::toLong).otherwise((Long) null));
      if (second == null) {
        Thread.sleep(20);
      }
    }
    assertThat(second).isNotNull().isNotEqualTo(first);
    assertThat(awaitOn(loop, () -> redis.send(Request.cmd(Command.INCR).arg(key))).toLong()).isEqualTo(1);
    assertThat(redis.connectionsHeld()).isEqualTo(1);
  }

  @Test
  @DisplayName("the verticle that opened a loop's connection can be undeployed first: timers set after a reply still fire")
  void repliesDoNotRunAsTheVerticleThatConnected() {
    // One event loop, so that both verticles share its connection. At shutdown the verticles stop
    // in any order; a timer set after a reply (the PostgreSQL pool's wait limit, a job's time
    // limit) must not be cancelled with whichever verticle happened to connect first.
    Vertx oneLoop = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
    EventLoopRedis shared = (EventLoopRedis) Clients.redis(oneLoop, TestEnv.freshConfig());
    try {
      // Deployed together: the second one's command waits for the connection the first one opens.
      Future<String> first = oneLoop.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          return shared.send(Request.cmd(Command.PING));
        }
      });
      io.vertx.core.Promise<Void> fired = io.vertx.core.Promise.promise();
      Future<String> second = oneLoop.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          return shared.send(Request.cmd(Command.PING)).onSuccess(reply -> vertx.setTimer(300, t -> fired.tryComplete()));
        }
      });
      await(second);
      await(oneLoop.undeploy(await(first)));
      assertThat(shared.connectionsHeld()).isEqualTo(1);
      await(fired.future().timeout(10, java.util.concurrent.TimeUnit.SECONDS));
    } finally {
      await(shared.close());
      await(oneLoop.close());
    }
  }
}
