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
import java.util.List;
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
 * and not yet finished. Workers mark finished rows {@code done_at}; the relay keeps a marker key
 * (a random generation id, created when absent) and checks it at every pass. When it had to create
 * the marker, or finds one other than the generation it saw last, Redis has come back empty: it
 * then sends again every row relayed and not done (jobs waiting, in progress or in the delay set
 * for a retry), in batches, before relaying new rows. Several relays may all do it; the markers
 * (gone with the data, written again by the first relay to send a row) keep it to one entry. Rows sent again keep their {@code relayed_at}.
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
  /** The Redis generation seen at the last pass; null before the first. */
  private String generation;
  /** While sending owed rows again after a Redis data loss: the last row id sent; null otherwise. */
  private Long reRelayAfter;
  private long reRelayedThisRound;
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
    return checkGeneration().compose(ignored -> reRelayAfter != null ? reRelayBatch() : relayNewBatch());
  }

  /** How many jobs this relay sent again after Redis data losses (for tests and logs). */
  long reRelayedTotal() {
    return reRelayedTotal;
  }

  private String generationKey() {
    return services.keys().jobGeneration();
  }

  private Future<Void> checkGeneration() {
    return GENERATION_SCRIPT.run(services.redis(), List.of(generationKey()), UUID.randomUUID().toString())
        .map(reply -> {
          String seen = reply.get(0).toString();
          boolean created = reply.get(1).toInteger() == 1;
          if (created && generation == null) {
            LOG.info("relay: new job generation {} in Redis; sending again any job relayed and not done", seen);
            reRelayAfter = 0L;
            reRelayedThisRound = 0;
          } else if (created || (generation != null && !generation.equals(seen))) {
            LOG.warn("relay: Redis lost its data (job generation {} -> {}); sending again every job relayed and not done",
                generation, seen);
            reRelayAfter = 0L;
            reRelayedThisRound = 0;
          }
          generation = seen;
          return null;
        });
  }

  private Future<Integer> relayNewBatch() {
    return services.pg().withTransaction(conn -> conn.preparedQuery(WorkerSql.SELECT_OUTBOX_BATCH).execute(Tuple.of(batchSize))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(0) : appendAndMark(conn, rows)));
  }

  /** One batch of owed rows; once none is left, normal relaying resumes. */
  private Future<Integer> reRelayBatch() {
    long after = reRelayAfter;
    Future<Void> groups = after == 0 ? ensureGroups() : Future.succeededFuture();
    return groups.compose(ignored -> services.pg().preparedQuery(WorkerSql.SELECT_OWED)
            .execute(Tuple.of(after, batchSize, generation)))
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
          reRelayedThisRound += result[0];
          reRelayedTotal += result[0];
          if (result[0] < batchSize) {
            if (reRelayedThisRound > 0) {
              LOG.info("relay: sent {} unfinished jobs again after the Redis data loss", reRelayedThisRound);
            }
            reRelayAfter = null;
          } else if (reRelayAfter != null && reRelayAfter == after) {
            reRelayAfter = result[1]; // unless a newer loss restarted the round meanwhile
          }
          return batchSize; // go on at once: more owed rows, or the new rows that waited
        });
  }

  /** The groups first, so that workers read the jobs sent again from the start of the new streams. */
  private Future<Void> ensureGroups() {
    List<Future<Void>> all = new ArrayList<>();
    for (JobQueue queue : JobQueue.values()) {
      all.add(streams.ensureGroup(queue));
    }
    return Future.all(all).mapEmpty();
  }

  private Future<Integer> appendAndMark(SqlConnection conn, RowSet<Row> rows) {
    List<RedisScript.Call> appends = new ArrayList<>(rows.size());
    List<Long> ids = new ArrayList<>(rows.size());
    for (Row row : rows) {
      Job job = jobOf(row);
      appends.add(streams.appendOnce(job, row.getLong("created_ms")));
      ids.add(job.id());
    }
    return streams.appendAll(appends, services.config().redis().replicaWait())
        .compose(ignored -> conn.preparedQuery(WorkerSql.MARK_RELAYED).execute(Tuple.of(ids.toArray(Long[]::new), generation)))
        .map(ignored -> ids.size());
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
