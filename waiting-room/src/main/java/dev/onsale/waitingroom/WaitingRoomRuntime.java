package dev.onsale.waitingroom;

import dev.onsale.common.RedisKeys;
import dev.onsale.common.ReplicaWait;
import dev.onsale.common.Services;
import dev.onsale.common.Tokens;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one instance's waiting room shares between its event loops: the snapshots of the shared
 * queue state, the computed shuffles and the meters. The launcher builds one router per event loop
 * (and calls {@link WaitingRoom#webModule} for each), so this is looked up per Vert.x instance.
 */
final class WaitingRoomRuntime {

  private static final Map<Vertx, WaitingRoomRuntime> BY_VERTX = new ConcurrentHashMap<>();

  private final Services services;
  private final WaitingRoomSettings settings;
  private final QueueSnapshots snapshots;
  private final ShuffleOrders shuffles;
  private final QueueStatus status;
  private final QueueMetrics metrics;
  private final QueueNumbers numbers;
  private final JoinChallenges challenges;
  private final AdmissionLiveness liveness;

  private WaitingRoomRuntime(Services services) {
    this.services = services;
    this.settings = WaitingRoomSettings.from(services.config());
    this.snapshots = new QueueSnapshots(services.vertx(), services.redis(), services.keys(),
        settings.refreshMillis(), this::now);
    this.shuffles = new ShuffleOrders(services.vertx());
    ReplicaWait wait = services.config().redis().replicaWait();
    this.liveness = new AdmissionLiveness(services.redis(), services.keys(), settings.leaveSeconds());
    this.status = new QueueStatus(liveness, services.tokens(), shuffles);
    this.metrics = new QueueMetrics(services.meters(), snapshots);
    this.numbers = new QueueNumbers(services.redis(), services.keys(), settings.joinRatePerMinute(), wait);
    // Each join takes one challenge; a page whose challenge expired while it solved takes a second.
    this.challenges = new JoinChallenges(services.redis(), services.keys(), services.config().tokenSecret(),
        2 * settings.joinRatePerMinute(), wait);
  }

  static WaitingRoomRuntime of(Services services) {
    return BY_VERTX.computeIfAbsent(services.vertx(), vertx -> new WaitingRoomRuntime(services));
  }

  static void forget(WaitingRoomRuntime runtime) {
    BY_VERTX.remove(runtime.services.vertx(), runtime);
  }

  long now() {
    return System.currentTimeMillis();
  }

  Services services() {
    return services;
  }

  WaitingRoomSettings settings() {
    return settings;
  }

  Redis redis() {
    return services.redis();
  }

  RedisKeys keys() {
    return services.keys();
  }

  Tokens tokens() {
    return services.tokens();
  }

  QueueSnapshots snapshots() {
    return snapshots;
  }

  ShuffleOrders shuffles() {
    return shuffles;
  }

  QueueStatus status() {
    return status;
  }

  QueueMetrics metrics() {
    return metrics;
  }

  QueueNumbers numbers() {
    return numbers;
  }

  AdmissionLiveness liveness() {
    return liveness;
  }

  JoinChallenges challenges() {
    return challenges;
  }
}
