package dev.onsale.common;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes that must survive a failover wait until {@code replicas} replicas hold them
 * ({@code ONSALE_REDIS_WAIT_REPLICAS}, at most {@code timeoutMillis}, {@code ONSALE_REDIS_WAIT_MS}).
 * Replication is asynchronous: a master that dies right after answering may take its last writes
 * with it, and the replica promoted in its place would hand out an arrival number again, lower
 * {@code serving}, or miss a job the relay already marked as sent. {@code WAIT} is sent in the
 * same batch as the writes, so it covers them on the same connection. Fewer replicas than asked
 * within the time is a failure (a 503 for a join; the relay keeps its rows and tries again).
 */
public record ReplicaWait(int replicas, long timeoutMillis) {

  public static final ReplicaWait NONE = new ReplicaWait(0, 1000);

  public boolean on() {
    return replicas > 0;
  }

  /** Sends the writes, then WAIT when on; answers the writes' replies. */
  public Future<List<Response>> batch(Redis redis, List<Request> writes) {
    if (!on()) {
      return redis.batch(writes);
    }
    List<Request> all = new ArrayList<>(writes);
    all.add(Request.cmd(Command.WAIT).arg(replicas).arg(timeoutMillis));
    return redis.batch(all).compose(replies -> {
      long acknowledged = replies.get(replies.size() - 1).toLong();
      if (acknowledged < replicas) {
        return Future.failedFuture(ApiException.unavailable("replication_lagging",
            "the data store could not confirm this change on a replica in time, try again shortly", 1));
      }
      return Future.succeededFuture(replies.subList(0, writes.size()));
    });
  }
}
