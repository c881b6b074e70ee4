package dev.onsale.workers;

import dev.onsale.common.Clients;
import dev.onsale.common.Job;
import dev.onsale.common.JobQueue;
import dev.onsale.common.RedisScript;
import dev.onsale.common.Services;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves outbox rows to their Redis streams. In one transaction it locks a batch of unrelayed rows
 * ({@code FOR UPDATE SKIP LOCKED}, so several relays never take the same row), appends them to the
 * streams and marks them relayed. If Redis is down the transaction rolls back and the rows wait.
 * A row appended but not marked (Redis went away before its reply, or the commit failed) is sent
 * again later; the append writes a marker key per row in the same script, so the second send adds
 * no second entry while Redis keeps its data (and every handler is idempotent on the job id besides).
 *
 * <p>Redis losing its data (restarted without persistence, flushed) would lose the jobs relayed
 * and not yet finished. Workers mark finished rows {@code done_at}; the relay keeps a marker key per
 * job queue (a random generation id, created when absent, in the queue's hash slot beside its
 * stream and delay set, so that on a Cluster it goes with them when their node comes back empty)
 * and checks every queue's at every pass, one script per queue. When it had to create a queue's
 * marker, or finds one other than the generation it saw last for that queue, that queue's data is
 * gone: it then sends again every row of that queue relayed and not done (jobs waiting, in progress
 * or in the delay set for a retry), in batches, before relaying new rows; the other queues' rows
 * are left alone. Each row is marked with the generation of its own queue. Several relays may all
 * do it; the markers (gone with the data, written again by the first relay to send a row) keep it
 * to one entry. Rows sent again keep their {@code relayed_at}.
 *
 * <p>Under Sentinel, a master that dies right after an append may not have passed it to the replica
 * that takes its place, and the row, marked relayed, would never be sent again. With
 * {@code ONSALE_REDIS_WAIT_REPLICAS} a batch is marked only once that many replicas hold it.
 *
 * <p>{@code NOTIFY onsale_outbox} (sent by the order transaction) wakes the relay at once through a
 * connection of its own that {@code LISTEN}s; polling every second covers a lost notification.
 */
public final class OutboxRelayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelayVerticle.class);

  public static final String CHANNEL = "onsale_outbox";

  /** Returns {generation, 1 if this call created it}: atomically, so only one relay creates it. */
  private static final RedisScript GENERATION_SCRIPT = new RedisScript("""
      local seen = redis.call('GET', KEYS[1])
      if seen then return {seen, 0} end
      redis.call('SET', KEYS[1], ARGV[1])
      return {ARGV[1], 1}
      """);

  private final Services services;
  private final int batchSize;
  private final long pollMillis;
  private final long reconnectMillis;
  private final StreamSettings streamSettings;

  private JobStreams streams;
  private PgConnection listener;
  private boolean stopping;
  private boolean running;
  private boolean wakeAgain;
  private long backingOffUntil;
  private int failuresInARow;
  private long pollTimer = -1;
  /** Each queue's Redis generation seen at the last pass; absent before the first. */
  private final Map<JobQueue, String> generations = new EnumMap<>(JobQueue.class);
  /** The queues whose owed rows are being sent again after a data loss: the last row id sent. */
  private final Map<JobQueue, Long> reRelayAfter = new EnumMap<>(JobQueue.class);
  private final Map<JobQueue, Long> reRelayedThisRound = new EnumMap<>(JobQueue.class);
  private long reRelayedTotal;
  private final Promise<Void> idle = Promise.promise();

  public OutboxRelayVerticle(Services services) {
    this(services, RelaySettings.of(services.config()), StreamSettings.of(services.config()));
  }

  public OutboxRelayVerticle(Services services, RelaySettings settings, StreamSettings streamSettings) {
    this.services = services;
    this.streamSettings = streamSettings;
    this.batchSize = settings.batchSize();
    this.pollMillis = settings.pollMillis();
    this.reconnectMillis = settings.reconnectMillis();
  }

  @Override
  public Future<?> start() {
    streams = new JobStreams(services.redis(), services.keys(), streamSettings);
    listen();
    wake();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    if (!running) {
      idle.tryComplete();
    }
    Future<Void> closed = listener == null ? Future.succeededFuture() : listener.close();
    return Future.join(idle.future(), closed);
  }

  // ---- waking ------------------------------------------------------------------------------

  private void listen() {
    if (stopping) {
      return;
    }
    PgConnection.connect(vertx, Clients.pgConnectOptions(services.config().pgUrl()))
        .compose(conn -> {
          conn.notificationHandler(notification -> wake());
          conn.closeHandler(ignored -> onListenerClosed(conn));
          return conn.query(WorkerSql.LISTEN_OUTBOX).execute().map(conn);
        })
        .onSuccess(conn -> {
          listener = conn;
          if (stopping) {
            conn.close();
          }
          wake(); // rows written while we were not listening
        })
        .onFailure(e -> {
          LOG.warn("relay: cannot LISTEN {} ({}), polling meanwhile; retrying in {} ms", CHANNEL, e.getMessage(), reconnectMillis);
          vertx.setTimer(reconnectMillis, t -> listen());
        });
  }

  private void onListenerClosed(PgConnection conn) {
    if (listener == conn) {
      listener = null;
    }
    if (!stopping) {
      LOG.warn("relay: LISTEN connection closed, reconnecting");
      vertx.setTimer(reconnectMillis, t -> listen());
    }
  }

  /** Runs a relay pass now, or right after the one running. */
  private void wake() {
    if (stopping) {
      return;
    }
    if (running) {
      wakeAgain = true;
      return;
    }
    if (System.currentTimeMillis() < backingOffUntil) {
      return; // Redis or PostgreSQL failed just now: the back-off timer runs the next pass
    }
    running = true;
    wakeAgain = false;
    vertx.cancelTimer(pollTimer);
    relayBatch().onComplete(ar -> {
      running = false;
      if (stopping) {
        idle.tryComplete();
        return;
      }
      if (ar.failed()) {
        if (failuresInARow++ == 0) {
          LOG.warn("relay: pass failed ({}); rows wait in the outbox, retrying every {} ms", ar.cause().getMessage(), pollMillis);
        }
        backingOffUntil = System.currentTimeMillis() + pollMillis;
        pollTimer = vertx.setTimer(pollMillis, t -> {
          backingOffUntil = 0;
          wake();
        });
        return;
      }
      if (failuresInARow > 0) {
        LOG.info("relay: relaying again after {} failed passes", failuresInARow);
        failuresInARow = 0;
      }
      if (ar.result() == batchSize || wakeAgain) {
        vertx.runOnContext(ignored -> wake()); // more rows may be waiting
      } else {
        pollTimer = vertx.setTimer(pollMillis, t -> wake());
      }
    });
  }

  // ---- relaying ----------------------------------------------------------------------------

  /** Relays one batch; returns how many rows it moved (a full batch means: run again at once). */
  Future<Integer> relayBatch() {
    return checkGenerations().compose(ignored -> reRelayAfter.isEmpty()
        ? relayNewBatch()
        : reRelayBatch(reRelayAfter.keySet().iterator().next()));
  }

  /** How many jobs this relay sent again after Redis data losses (for tests and logs). */
  long reRelayedTotal() {
    return reRelayedTotal;
  }

  /** Every queue's marker, one script each: on a Cluster the queues' slots may sit on different nodes. */
  private Future<Void> checkGenerations() {
    List<Future<Void>> checks = new ArrayList<>();
    for (JobQueue queue : JobQueue.values()) {
      checks.add(checkGeneration(queue));
    }
    return Future.all(checks).mapEmpty();
  }

  private Future<Void> checkGeneration(JobQueue queue) {
    return GENERATION_SCRIPT.run(services.redis(), List.of(services.keys().jobGeneration(queue)), UUID.randomUUID().toString())
        .map(reply -> {
          String seen = reply.get(0).toString();
          boolean created = reply.get(1).toInteger() == 1;
          String last = generations.get(queue);
          if (created && last == null) {
            LOG.info("relay: new job generation {} of queue {} in Redis; sending again any of its jobs relayed and not done",
                seen, queue.streamName());
            startReRelay(queue);
          } else if (created || (last != null && !last.equals(seen))) {
            LOG.warn("relay: Redis lost the data of queue {} (job generation {} -> {}); sending again every job of it relayed and not done",
                queue.streamName(), last, seen);
            startReRelay(queue);
          }
          generations.put(queue, seen);
          return null;
        });
  }

  private void startReRelay(JobQueue queue) {
    reRelayAfter.put(queue, 0L);
    reRelayedThisRound.put(queue, 0L);
  }

  private Future<Integer> relayNewBatch() {
    return services.pg().withTransaction(conn -> conn.preparedQuery(WorkerSql.SELECT_OUTBOX_BATCH).execute(Tuple.of(batchSize))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(0) : appendAndMark(conn, rows)));
  }

  /** One batch of a queue's owed rows; once no queue has any left, normal relaying resumes. */
  private Future<Integer> reRelayBatch(JobQueue queue) {
    long after = reRelayAfter.get(queue);
    String generation = generations.get(queue);
    // The group first, so that workers read the jobs sent again from the start of the new stream.
    Future<Void> group = after == 0 ? streams.ensureGroup(queue) : Future.succeededFuture();
    return group.compose(ignored -> services.pg().preparedQuery(WorkerSql.SELECT_OWED)
            .execute(Tuple.of(after, batchSize, generation, queue.streamName())))
        .compose(rows -> {
          long last = after;
          List<RedisScript.Call> appends = new ArrayList<>(rows.size());
          for (Row row : rows) {
            last = Math.max(last, row.getLong("id"));
            appends.add(streams.appendOnce(jobOf(row), row.getLong("created_ms")));
          }
          long[] result = {rows.size(), last};
          if (appends.isEmpty()) {
            return Future.succeededFuture(result);
          }
          Long[] ids = new Long[rows.size()];
          int i = 0;
          for (Row row : rows) {
            ids[i++] = row.getLong("id");
          }
          return streams.appendAll(appends, services.config().redis().replicaWait())
              .compose(ignored -> services.pg().preparedQuery(WorkerSql.MARK_GENERATION).execute(Tuple.of(ids, generation)))
              .map(result);
        })
        .map(result -> {
          long thisRound = reRelayedThisRound.merge(queue, result[0], Long::sum);
          reRelayedTotal += result[0];
          Long cursor = reRelayAfter.get(queue);
          if (cursor == null || cursor != after) {
            return batchSize; // a newer loss of this queue restarted its round meanwhile
          }
          if (result[0] < batchSize) {
            if (thisRound > 0) {
              LOG.info("relay: sent {} unfinished jobs of queue {} again after the Redis data loss", thisRound, queue.streamName());
            }
            reRelayAfter.remove(queue);
            reRelayedThisRound.remove(queue);
          } else {
            reRelayAfter.put(queue, result[1]);
          }
          return batchSize; // go on at once: more owed rows, or the new rows that waited
        });
  }

  private Future<Integer> appendAndMark(SqlConnection conn, RowSet<Row> rows) {
    List<RedisScript.Call> appends = new ArrayList<>(rows.size());
    Long[] ids = new Long[rows.size()];
    String[] rowGenerations = new String[rows.size()];
    int i = 0;
    for (Row row : rows) {
      Job job = jobOf(row);
      appends.add(streams.appendOnce(job, row.getLong("created_ms")));
      ids[i] = job.id();
      rowGenerations[i++] = generations.get(job.queue()); // each row into its own queue's generation
    }
    return streams.appendAll(appends, services.config().redis().replicaWait())
        .compose(ignored -> conn.preparedQuery(WorkerSql.MARK_RELAYED).execute(Tuple.tuple().addArrayOfLong(ids).addArrayOfString(rowGenerations)))
        .map(ignored -> ids.length);
  }

  private static Job jobOf(Row row) {
    return new Job(row.getLong("id"), JobQueue.fromName(row.getString("queue")), row.getString("type"),
        toJson(row.getValue("payload")), 1);
  }

  private static JsonObject toJson(Object payload) {
    if (payload instanceof JsonObject json) {
      return json;
    }
    return new JsonObject(String.valueOf(payload));
  }
}
