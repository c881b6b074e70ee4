package dev.onsale.workers;

import dev.onsale.common.Clients;
import dev.onsale.common.Job;
import dev.onsale.common.JobCatalog;
import dev.onsale.common.JobHealth;
import dev.onsale.common.JobQueue;
import dev.onsale.common.Services;
import dev.onsale.workers.JobMetrics.Outcome;
import dev.onsale.workers.JobStreams.Parsed;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works one job stream: reads with {@code XREADGROUP} on a Redis connection of its own (the read
 * blocks), runs up to {@code concurrency} jobs at once, acknowledges each once its handler says
 * the effect is durable, schedules retries with exponential back-off, dead-letters after the last
 * try and claims jobs left pending by dead workers. Stopping finishes the jobs in flight.
 */
public final class StreamWorkerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StreamWorkerVerticle.class);
  private static final long READ_ERROR_BACKOFF_MS = 1000;
  private static final int MOVE_BATCH = 200;
  /** Successes are written to Redis at most this often per worker: the monitor needs the latest, not each. */
  private static final long SUCCESS_MARK_EVERY_MS = 1000;

  private final Services services;
  private final QueueSettings settings;
  private final StreamSettings streamSettings;
  private final JobHandler handler;
  private final JobQueue queue;
  private final String consumer;

  private JobStreams streams;
  private JobMetrics metrics;
  private DoneMarks doneMarks;
  private JobHealth health;
  private long successMarkedAt;
  private Redis reader;
  private boolean stopping;
  private int inFlight;
  private final Set<String> inFlightEntries = new HashSet<>();
  private final Set<Long> inFlightJobs = new HashSet<>();
  private long nextReclaimAt;
  private long pausedUntil;
  private String reclaimCursor = "0-0";
  private Promise<Void> slotFreed;
  private Promise<Void> drained;
  private final Promise<Void> readLoopDone = Promise.promise();
  private long moveTimer = -1;

  public StreamWorkerVerticle(Services services, QueueSettings settings, StreamSettings streamSettings, JobHandler handler) {
    this.services = services;
    this.settings = settings;
    this.streamSettings = streamSettings;
    this.handler = handler;
    this.queue = settings.queue();
    this.consumer = consumerName();
  }

  public String consumer() {
    return consumer;
  }

  @Override
  public Future<?> start() {
    streams = new JobStreams(services.redis(), services.keys(), streamSettings);
    metrics = new JobMetrics(services.meters(), queue);
    doneMarks = new DoneMarks(vertx, services.pg());
    health = new JobHealth(services.keys());
    reader = Clients.dedicatedRedis(vertx, services.config());
    return streams.ensureGroup(queue)
        .compose(ignored -> handler.warmUp())
        .onSuccess(ignored -> {
          if (settings.reclaimIdleMillis() <= settings.timeoutMillis()) {
            LOG.warn("worker {}: RECLAIM_IDLE_SECONDS ({} ms) is not above TIMEOUT_SECONDS ({} ms): a slow job may be run twice",
                queue.streamName(), settings.reclaimIdleMillis(), settings.timeoutMillis());
          }
          LOG.info("worker {} reads {} as {} (concurrency {})", queue.streamName(), streams.stream(queue), consumer, settings.concurrency());
          readNext();
          scheduleMoveDue();
        });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(moveTimer);
    if (slotFreed != null) {
      readLoopDone.tryComplete(); // waiting for a free slot, not reading: nothing to wait for
    }
    return readLoopDone.future()
        .compose(ignored -> drain())
        .compose(ignored -> leaveGroup())
        .eventually(() -> doneMarks.close())
        .eventually(() -> handler.close())
        .eventually(() -> reader.close());
  }

  // ---- reading -----------------------------------------------------------------------------

  private void readNext() {
    if (stopping) {
      readLoopDone.tryComplete();
      return;
    }
    int free = settings.concurrency() - inFlight;
    if (free <= 0) {
      Promise<Void> waiting = Promise.promise();
      slotFreed = waiting;
      waiting.future().onComplete(ignored -> readNext());
      return;
    }
    long pause = pausedUntil - System.currentTimeMillis();
    if (pause > 0) {
      // Redis or PostgreSQL is failing: do not churn through jobs that cannot be recorded.
      vertx.setTimer(pause, t -> readNext());
      return;
    }
    if (System.currentTimeMillis() >= nextReclaimAt) {
      // Between two reads, so that reclaimed jobs and read jobs share the same free slots.
      nextReclaimAt = System.currentTimeMillis() + Math.max(500, settings.reclaimIdleMillis() / 2);
      reclaim(free).onComplete(ignored -> readNext());
      return;
    }
    reader.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(JobCatalog.GROUP).arg(consumer)
            .arg("COUNT").arg(free).arg("BLOCK").arg(settings.blockMillis())
            .arg("STREAMS").arg(streams.stream(queue)).arg(">"))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            dispatchAll(readEntries(ar.result()));
            readNext();
          } else {
            onReadFailure(ar.cause());
          }
        });
  }

  private List<Parsed> readEntries(Response reply) {
    if (reply == null || reply.size() == 0) {
      return List.of(); // BLOCK timed out
    }
    return JobStreams.entries(queue, reply.get(0).get(1));
  }

  private void onReadFailure(Throwable e) {
    if (JobStreams.isError(e, "NOGROUP")) {
      // The stream or group vanished (Redis restarted without its data): create them again.
      LOG.warn("worker {}: consumer group missing, creating it again", queue.streamName());
      streams.ensureGroup(queue).onComplete(ignored -> vertx.setTimer(10, t -> readNext()));
      return;
    }
    if (!stopping) {
      LOG.warn("worker {}: reading the stream failed ({}), retrying in {} ms", queue.streamName(), e.getMessage(), READ_ERROR_BACKOFF_MS);
    }
    vertx.setTimer(READ_ERROR_BACKOFF_MS, t -> readNext());
  }

  // ---- processing --------------------------------------------------------------------------

  private void dispatchAll(List<Parsed> entries) {
    for (Parsed entry : entries) {
      if (entry.job() == null) {
        streams.discardMalformed(queue, entry.entryId(), entry.error())
            .onFailure(e -> LOG.warn("worker {}: could not discard malformed entry {}", queue.streamName(), entry.entryId(), e));
      } else {
        process(entry.job());
      }
    }
  }

  private void process(StreamJob current) {
    if (!inFlightEntries.add(current.entryId())) {
      return; // reclaimed from ourselves while still running it
    }
    if (!inFlightJobs.add(current.job().id())) {
      // The same job under another entry (sent again after a Redis data loss) is running here: that
      // run acknowledges, retries or dead-letters it, so this copy only has to go.
      inFlightEntries.remove(current.entryId());
      streams.ack(queue, current.entryId())
          .onFailure(e -> LOG.debug("worker {}: could not drop a copy of job {}: {}", queue.streamName(), current.job().id(), e.getMessage()));
      return;
    }
    inFlight++;
    long started = System.nanoTime();
    runHandler(current.job())
        .timeout(settings.timeoutMillis(), TimeUnit.MILLISECONDS)
        .transform(ar -> ar.succeeded()
            ? streams.ack(queue, current.entryId()).map(Outcome.SUCCEEDED)
            : afterFailure(current, ar.cause()))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            metrics.record(ar.result(), started);
            if (ar.result() == Outcome.SUCCEEDED) {
              markSuccess();
            }
            if (ar.result() != Outcome.RETRIED) {
              // Finished for good (done or dead-lettered): a Redis data loss must not bring it back.
              doneMarks.add(current.job().id());
            }
          } else {
            // The job stays pending and another worker reclaims it after the idle time.
            pausedUntil = System.currentTimeMillis() + READ_ERROR_BACKOFF_MS;
            LOG.warn("worker {}: could not record the outcome of job {} ({}); it will be reclaimed",
                queue.streamName(), current.job().id(), ar.cause().toString());
          }
          inFlightEntries.remove(current.entryId());
          inFlightJobs.remove(current.job().id());
          inFlight--;
          onSlotFreed();
        });
  }

  private Future<Void> runHandler(Job job) {
    try {
      return handler.handle(job);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Outcome> afterFailure(StreamJob current, Throwable cause) {
    Job job = current.job();
    String error = describe(cause);
    if (!(cause instanceof JobFailures.NotReady)) {
      markFailure(current);
    }
    long dueAt = System.currentTimeMillis() + settings.backoffAfter(job.attempt());
    boolean lastTry = cause instanceof JobFailures.Permanent
        || job.attempt() >= settings.maxAttempts()
        || dueAt > current.createdAt() + settings.retryPeriodMillis();
    if (lastTry) {
      LOG.warn("worker {}: job {} ({}) failed on try {}, dead-lettered: {}", queue.streamName(), job.id(), job.type(), job.attempt(), error);
      return handler.deadLettered(job, error)
          .recover(e -> {
            LOG.warn("worker {}: job {} ({}): recording its last failure failed: {}", queue.streamName(), job.id(),
                job.type(), e.toString());
            return Future.succeededFuture();
          })
          .compose(ignored -> streams.deadLetter(current, error))
          .map(Outcome.DEAD_LETTERED);
    }
    if (cause instanceof JobFailures.NotReady) {
      LOG.debug("worker {}: job {} not ready on try {}: {}", queue.streamName(), job.id(), job.attempt(), error);
    } else {
      LOG.info("worker {}: job {} ({}) failed on try {}, retrying in {} ms: {}", queue.streamName(), job.id(), job.type(),
          job.attempt(), dueAt - System.currentTimeMillis(), error);
    }
    return streams.retryLater(current, job.nextAttempt(), dueAt).map(Outcome.RETRIED);
  }

  /** For the ops monitor's "failing" alert; a lost mark only delays the alert, so it never fails the job. */
  private void markFailure(StreamJob current) {
    health.recordFailure(services.redis(), queue, current.entryId() + "/" + current.job().attempt(), System.currentTimeMillis())
        .onFailure(e -> LOG.debug("worker {}: could not record a failed try: {}", queue.streamName(), e.getMessage()));
  }

  private void markSuccess() {
    long now = System.currentTimeMillis();
    if (now - successMarkedAt < SUCCESS_MARK_EVERY_MS) {
      return;
    }
    successMarkedAt = now;
    health.recordSuccess(services.redis(), queue, now)
        .onFailure(e -> {
          successMarkedAt = 0; // try again with the next success
          LOG.debug("worker {}: could not record a success: {}", queue.streamName(), e.getMessage());
        });
  }

  private String describe(Throwable cause) {
    if (cause instanceof TimeoutException) {
      return "time limit of " + settings.timeoutMillis() + " ms exceeded";
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private void onSlotFreed() {
    if (slotFreed != null) {
      Promise<Void> waiting = slotFreed;
      slotFreed = null;
      waiting.tryComplete();
    }
    if (inFlight == 0 && drained != null) {
      drained.tryComplete();
    }
  }

  /** A cleanly stopped worker leaves no consumer behind in the group (unless jobs are pending for it). */
  private Future<Void> leaveGroup() {
    if (inFlight > 0) {
      return Future.succeededFuture();
    }
    return streams.removeConsumerIfIdle(queue, consumer).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  private Future<Void> drain() {
    if (inFlight == 0) {
      return Future.succeededFuture();
    }
    drained = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, settings.drainMillis()), t -> {
      LOG.warn("worker {}: stopping with {} jobs unfinished; other workers will reclaim them", queue.streamName(), inFlight);
      drained.tryComplete();
    });
    return drained.future().onComplete(ignored -> vertx.cancelTimer(timer));
  }

  // ---- retries and reclaiming --------------------------------------------------------------

  private void scheduleMoveDue() {
    if (stopping) {
      return;
    }
    long period = Math.max(50, Math.min(1000, settings.backoffMillis() / 2));
    moveTimer = vertx.setTimer(period, t -> streams.moveDue(queue, MOVE_BATCH)
        .onFailure(e -> LOG.debug("worker {}: moving due retries failed: {}", queue.streamName(), e.getMessage()))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result() == MOVE_BATCH && !stopping) {
            moveTimer = vertx.setTimer(1, again -> scheduleMoveDue());
          } else {
            scheduleMoveDue();
          }
        }));
  }

  private Future<Void> reclaim(int free) {
    return streams.autoClaim(queue, consumer, settings.reclaimIdleMillis(), reclaimCursor, free)
        .onSuccess(claimed -> {
          reclaimCursor = claimed.nextCursor();
          if (!claimed.jobs().isEmpty()) {
            LOG.info("worker {}: reclaimed {} jobs left pending by another worker", queue.streamName(), claimed.jobs().size());
          }
          dispatchAll(claimed.jobs());
        })
        .onFailure(e -> LOG.debug("worker {}: reclaiming failed: {}", queue.streamName(), e.getMessage()))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  private static String consumerName() {
    String runtime = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return runtime.replaceAll("[^A-Za-z0-9@._-]", "") + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
