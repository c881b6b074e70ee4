package dev.onsale.waitingroom;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each instance computes a random pre-queue's order itself from the published seed (it is
 * deterministic), once per event, off the event loop. Nothing per buyer is stored in Redis.
 */
final class ShuffleOrders {

  /** Beyond this the pre-queue would need more memory than a web instance should spend on it. */
  static final int MAX_PRE_QUEUE = 5_000_000;

  private final Vertx vertx;
  private final Map<Long, Computation> byEvent = new ConcurrentHashMap<>();

  ShuffleOrders(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * The snapshot's shuffle if it is computed, else null (and the computation starts). FIFO events
   * and events without a pre-queue have {@link PreQueueShuffle.Order#NONE}.
   */
  PreQueueShuffle.Order ifReady(QueueSnapshot snapshot) {
    Future<PreQueueShuffle.Order> order = order(snapshot);
    return order.succeeded() ? order.result() : null;
  }

  Future<PreQueueShuffle.Order> order(QueueSnapshot snapshot) {
    if (!snapshot.event().meta().randomPreQueue() || snapshot.preQueueSize() <= 0 || snapshot.seed() == null) {
      return Future.succeededFuture(PreQueueShuffle.Order.NONE);
    }
    long eventId = snapshot.event().id();
    String seed = snapshot.seed();
    int size = (int) Math.min(snapshot.preQueueSize(), MAX_PRE_QUEUE);
    Computation known = byEvent.get(eventId);
    if (known != null && known.seed.equals(seed) && known.size == size && !known.order.failed()) {
      return known.order;
    }
    Future<PreQueueShuffle.Order> order = vertx.executeBlocking(() -> PreQueueShuffle.order(seed, size), false);
    byEvent.put(eventId, new Computation(seed, size, order));
    return order;
  }

  private record Computation(String seed, int size, Future<PreQueueShuffle.Order> order) {}
}
