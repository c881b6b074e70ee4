package dev.onsale.workers;

import dev.onsale.common.JobQueue;
import dev.onsale.common.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic clean-up that goes with the {@code background} queue: deletes idempotency keys older
 * than 24 hours, forgets consumers of dead workers and keeps the media folder under {@code ONSALE_MEDIA_MAX_BYTES} by deleting the
 * oldest PDFs nobody can be served any more (secrets no longer current, cancelled orders, files no
 * row knows). A PDF of a valid ticket is never deleted. One instance per period does it (a Redis
 * lease), the others skip.
 */
public final class HousekeepingVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HousekeepingVerticle.class);

  private static final long DEAD_CONSUMER_IDLE_MILLIS = 24 * 3600 * 1000L;

  private final Services services;
  private final MediaStore media;
  private final long periodMillis;
  private final long maxBytes;
  private final long webhookRetryMillis;
  private final StreamSettings streamSettings;
  private long timer = -1;
  private boolean stopping;
  private Future<Void> running = Future.succeededFuture();

  public HousekeepingVerticle(Services services) {
    this(services, HousekeepingSettings.of(services.config()), StreamSettings.of(services.config()));
  }

  public HousekeepingVerticle(Services services, HousekeepingSettings settings, StreamSettings streamSettings) {
    this.services = services;
    this.media = new MediaStore(services.config().mediaDir());
    this.periodMillis = settings.periodMillis();
    this.maxBytes = settings.mediaMaxBytes();
    this.webhookRetryMillis = settings.webhookRetryMillis();
    this.streamSettings = streamSettings;
  }

  @Override
  public Future<?> start() {
    schedule(Math.min(periodMillis, 5000));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    return running;
  }

  private void schedule(long delay) {
    if (!stopping) {
      timer = vertx.setTimer(delay, t -> {
        running = leased().compose(mine -> mine ? runOnce() : Future.succeededFuture())
            .onFailure(e -> LOG.warn("housekeeping failed: {}", e.getMessage()))
            .recover(e -> Future.succeededFuture());
        running.onComplete(ignored -> schedule(periodMillis));
      });
    }
  }

  private Future<Boolean> leased() {
    long leaseMillis = Math.max(1000, periodMillis - 100);
    return services.redis().send(Request.cmd(Command.SET).arg(services.keys().housekeepingLease())
            .arg("1").arg("NX").arg("PX").arg(leaseMillis))
        .map(reply -> reply != null);
  }

  /** One pass; public so that operators' tools and tests can run it on demand. */
  public Future<Void> runOnce() {
    return services.pg().query(WorkerSql.DELETE_OLD_IDEMPOTENCY_KEYS).execute()
        .onSuccess(rows -> {
          if (rows.rowCount() > 0) {
            LOG.info("housekeeping: deleted {} idempotency keys older than 24 hours", rows.rowCount());
          }
        })
        .compose(ignored -> services.pg().preparedQuery(WorkerSql.DELETE_OLD_WEBHOOK_DELIVERIES)
            .execute(Tuple.of((double) (webhookRetryMillis / 1000 + 86_400))))
        .compose(ignored -> trimMedia())
        .compose(ignored -> forgetDeadConsumers());
  }

  /** Consumers of crashed workers with nothing pending, idle for a day, are dropped from the groups. */
  private Future<Void> forgetDeadConsumers() {
    JobStreams streams = new JobStreams(services.redis(), services.keys(), streamSettings);
    List<Future<?>> queues = new ArrayList<>();
    for (JobQueue queue : JobQueue.values()) {
      queues.add(streams.idleConsumers(queue, DEAD_CONSUMER_IDLE_MILLIS)
          .compose(names -> Future.all(names.stream().map(name -> streams.removeConsumerIfIdle(queue, name)).toList()))
          .recover(e -> Future.succeededFuture())); // no group yet
    }
    return Future.all(queues).mapEmpty();
  }

  private Future<Void> trimMedia() {
    return services.pg().query(WorkerSql.SELECT_STORED_PDFS).execute().compose(rows -> {
      Map<String, Row> known = new HashMap<>();
      for (Row row : rows) {
        known.put(Path.of(row.getString("path")).toAbsolutePath().normalize().toString(), row);
      }
      return services.vertx().executeBlocking(() -> deletionPlan(known), false);
    }).compose(plan -> {
      List<Future<?>> forgets = new ArrayList<>();
      for (Row row : plan) {
        forgets.add(services.pg().preparedQuery(WorkerSql.FORGET_DEAD_PDF)
            .execute(Tuple.of(row.getLong("ticket_id"), row.getString("secret"))));
      }
      return Future.all(forgets).mapEmpty();
    });
  }

  /**
   * Blocking: measures the folder, deletes unknown files and dead PDFs oldest first until it is
   * under the limit, and returns the rows of deleted PDFs so their records go too.
   */
  private List<Row> deletionPlan(Map<String, Row> known) throws IOException {
    Path dir = media.ticketsDir();
    List<Row> forgotten = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return forgotten;
    }
    List<Candidate> candidates = new ArrayList<>();
    long total = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (!Files.isRegularFile(file)) {
          continue;
        }
        long size = Files.size(file);
        total += size;
        Row row = known.get(file.toAbsolutePath().normalize().toString());
        if (row == null || !row.getBoolean("live")) {
          candidates.add(new Candidate(file, size, Files.getLastModifiedTime(file).toMillis(), row));
        }
      }
    }
    if (total <= maxBytes) {
      return forgotten;
    }
    candidates.sort((a, b) -> Long.compare(a.modified, b.modified));
    long freed = 0;
    for (Candidate candidate : candidates) {
      if (total - freed <= maxBytes) {
        break;
      }
      if (candidate.file.getFileName().toString().startsWith(".tmp-")
          && System.currentTimeMillis() - candidate.modified < 3_600_000) {
        continue; // a PDF being written right now
      }
      Files.deleteIfExists(candidate.file);
      freed += candidate.size;
      if (candidate.row != null) {
        forgotten.add(candidate.row);
      }
    }
    if (total - freed > maxBytes) {
      LOG.warn("housekeeping: media folder {} holds {} bytes of valid tickets, above ONSALE_MEDIA_MAX_BYTES {}", dir, total - freed, maxBytes);
    } else {
      LOG.info("housekeeping: freed {} bytes in {}", freed, dir);
    }
    return forgotten;
  }

  private record Candidate(Path file, long size, long modified, Row row) {}
}
