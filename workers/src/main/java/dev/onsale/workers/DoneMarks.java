package dev.onsale.workers;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records in PostgreSQL that jobs are finished ({@code outbox.done_at}), so that after Redis lost
 * its streams the relay sends again only the jobs still owed. Marks are collected and written in
 * one statement per batch (every {@link #FLUSH_MILLIS} ms or {@link #FLUSH_SIZE} jobs): a mark is
 * only a hint, a lost one (crash, PostgreSQL down) costs a harmless repeat of an idempotent job
 * after a Redis data loss, never a lost job. Used on one event loop (its worker verticle's).
 */
final class DoneMarks {

  private static final Logger LOG = LoggerFactory.getLogger(DoneMarks.class);

  static final long FLUSH_MILLIS = 100;
  static final int FLUSH_SIZE = 200;
  /** Beyond this many unwritten marks (PostgreSQL down for long) the oldest are dropped. */
  private static final int MAX_PENDING = 50_000;

  private final Vertx vertx;
  private final Pool pg;
  private final List<Long> pending = new ArrayList<>();
  private long timer = -1;
  private boolean writing;
  private Future<Void> lastWrite = Future.succeededFuture();
  private int failuresInARow;

  DoneMarks(Vertx vertx, Pool pg) {
    this.vertx = vertx;
    this.pg = pg;
  }

  void add(long jobId) {
    pending.add(jobId);
    if (pending.size() >= FLUSH_SIZE) {
      flush();
    } else if (timer == -1) {
      timer = vertx.setTimer(FLUSH_MILLIS, t -> {
        timer = -1;
        flush();
      });
    }
  }

  /** Writes the marks collected so far; completes when written (or given up for now). */
  Future<Void> flush() {
    if (writing || pending.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Long> batch = new ArrayList<>(pending);
    pending.clear();
    writing = true;
    lastWrite = pg.preparedQuery(WorkerSql.MARK_DONE).execute(Tuple.of(batch.toArray(Long[]::new)))
        .onSuccess(ignored -> failuresInARow = 0)
        .onFailure(e -> {
          if (failuresInARow++ == 0) {
            LOG.warn("could not mark {} jobs done ({}); retrying", batch.size(), e.getMessage());
          }
          pending.addAll(0, batch);
          if (pending.size() > MAX_PENDING) {
            pending.subList(0, pending.size() - MAX_PENDING).clear();
          }
        })
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture())
        .onComplete(ignored -> {
          writing = false;
          if (!pending.isEmpty() && timer == -1) {
            timer = vertx.setTimer(failuresInARow > 0 ? 1000 : FLUSH_MILLIS, t -> {
              timer = -1;
              flush();
            });
          }
        });
    return lastWrite;
  }

  /** Writes what is left, once, and stops the timer (the worker stops). */
  Future<Void> close() {
    return lastWrite.compose(ignored -> flush()).onComplete(ignored -> {
      vertx.cancelTimer(timer);
      timer = -1;
    });
  }
}
