package dev.onsale.common;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis client the modules share. A command sent from an event-loop thread goes on a connection
 * of that thread's own, pipelined with every other command sent from it, instead of borrowing a
 * pooled connection: a borrow takes a pool round of its own, and a pooled connection often lives
 * on another event loop, so the command and its reply each hop threads. For a queue join (one
 * Redis script) that overhead was larger than the command: this change alone took joins from
 * about 17,500 to 28,000 a second on two cores (docs/PERFORMANCE.md, run G).
 *
 * <p>The loops' connections come from a client of their own (one connection per event-loop thread
 * that sends, so at most as many as the event loops) and are kept. One that ends or fails is
 * dropped, and the next command from its thread connects again, so a Redis restart costs the
 * commands in flight at that moment, as with the pool. Commands sent from other threads (worker
 * threads, tests), those meeting a full pipeline, and {@link #connect()} (for work that needs a
 * connection to itself) use the shared pool.
 *
 * <p>On a Redis Cluster a batch is sent as separate commands, pipelined all the same: the modules
 * batch to save round trips (an event's keys and a queue's keys, the keys of several events), not
 * for atomicity, and the cluster client refuses a batch whose keys live on more than one node.
 * What must be atomic is one script, whose keys share a hash tag ({@link RedisKeys}).
 */
public final class EventLoopRedis implements Redis {

  private static final Logger LOG = LoggerFactory.getLogger(EventLoopRedis.class);

  private final Redis loops;
  private final Redis pool;
  private final Map<Thread, Future<RedisConnection>> connections = new ConcurrentHashMap<>();
  private final boolean cluster;
  private volatile boolean closed;

  public EventLoopRedis(Redis loops, Redis pool) {
    this(loops, pool, false);
  }

  public EventLoopRedis(Redis loops, Redis pool, boolean cluster) {
    this.loops = loops;
    this.pool = pool;
    this.cluster = cluster;
  }

  @Override
  public Future<Response> send(Request request) {
    return onThisLoop(connection -> connection.send(request), () -> pool.send(request));
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    if (cluster) {
      return eachOnItsNode(requests);
    }
    return onThisLoop(connection -> connection.batch(requests), () -> pool.batch(requests));
  }

  @Override
  public Future<RedisConnection> connect() {
    return pool.connect();
  }

  @Override
  public Future<Void> close() {
    closed = true;
    List<Future<Void>> closing = new ArrayList<>();
    for (Future<RedisConnection> connection : connections.values()) {
      closing.add(connection.compose(RedisConnection::close).otherwiseEmpty());
    }
    connections.clear();
    return Future.join(closing).transform(ignored -> Future.join(loops.close(), pool.close()).mapEmpty());
  }

  private Future<List<Response>> eachOnItsNode(List<Request> requests) {
    List<Future<Response>> replies = new ArrayList<>(requests.size());
    for (Request request : requests) {
      replies.add(send(request));
    }
    return Future.all(replies).map(all -> {
      List<Response> list = new ArrayList<>(requests.size());
      for (Future<Response> reply : replies) {
        list.add(reply.result());
      }
      return list;
    });
  }

  /** How many event loops hold a connection now (for tests). */
  int connectionsHeld() {
    return connections.size();
  }

  private <T> Future<T> onThisLoop(Function<RedisConnection, Future<T>> command, Supplier<Future<T>> pooled) {
    if (closed || !Context.isOnEventLoopThread()) {
      return pooled.get();
    }
    return connectionOfThisThread().compose(connection -> connection.pendingQueueFull() ? pooled.get()
        : command.apply(connection).onFailure(e -> dropIfDemoted(connection, e)));
  }

  /**
   * A master that Sentinel demoted answers writes with READONLY while the connection stays open:
   * the next command of this loop connects again, and Sentinel names the new master.
   */
  private void dropIfDemoted(RedisConnection connection, Throwable failure) {
    if (failure != null && failure.getMessage() != null && failure.getMessage().contains("READONLY")) {
      Thread thread = Thread.currentThread();
      Future<RedisConnection> held = connections.get(thread);
      if (held != null && held.succeeded() && held.result() == connection) {
        drop(thread, held, connection, failure);
      }
    }
  }

  private Future<RedisConnection> connectionOfThisThread() {
    Thread thread = Thread.currentThread();
    Future<RedisConnection> held = connections.get(thread);
    if (held != null) {
      return held;
    }
    // Only this thread adds or replaces its own entry, so no other thread can race us here.
    Promise<RedisConnection> connecting = Promise.promise();
    Future<RedisConnection> future = connecting.future();
    connections.put(thread, future);
    connectOnLoopContext().onComplete(ar -> {
      if (ar.failed()) {
        connections.remove(thread, future);
        connecting.fail(ar.cause());
        return;
      }
      RedisConnection connection = ar.result();
      connection.exceptionHandler(e -> drop(thread, future, connection, e));
      connection.endHandler(ignored -> drop(thread, future, connection, null));
      if (closed) {
        connections.remove(thread, future);
        connection.close();
      }
      connecting.complete(connection);
    });
    return future;
  }

  /**
   * Connects from a context of this event loop that belongs to no deployment. The connection
   * answers on the context it was opened from, and on the same thread Vert.x runs the caller's
   * callbacks under it: opened from a verticle, every module's code after a reply would run as that
   * verticle, and when it is undeployed first at shutdown, the timers set meanwhile (the
   * PostgreSQL pool's wait limit among them) are cancelled with it, and a query waiting for a
   * pooled connection then never completes.
   */
  private Future<RedisConnection> connectOnLoopContext() {
    ContextInternal current = (ContextInternal) Vertx.currentContext();
    if (current == null) {
      return loops.connect(); // an event-loop thread outside any context: nothing to outlive
    }
    ContextInternal loop = current.owner().contextBuilder().withEventLoop(current.nettyEventLoop()).build();
    Promise<RedisConnection> connected = Promise.promise();
    loop.dispatch(ignored -> loops.connect().onComplete(connected));
    return connected.future();
  }

  private void drop(Thread thread, Future<RedisConnection> future, RedisConnection connection, Throwable cause) {
    if (connections.remove(thread, future)) {
      LOG.warn("redis: the connection of {} ended ({}); the next command connects again", thread.getName(),
          cause == null ? "closed" : cause.getMessage());
      connection.close();
    }
  }
}
