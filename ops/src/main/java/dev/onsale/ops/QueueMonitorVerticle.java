package dev.onsale.ops;

import dev.onsale.common.JobQueue;
import dev.onsale.common.Services;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every job stream every few seconds, exports what it sees as gauges and raises or clears
 * each queue's alerts (backlog past its threshold; jobs failing). A loop of self-rescheduling timers with a stop flag; a failed sample
 * (Redis down) is logged and retried at the next tick, keeping the last values.
 */
public final class QueueMonitorVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(QueueMonitorVerticle.class);

  private final Services services;
  private final AlertSettings settings;
  private final Map<JobQueue, AtomicReference<QueueStats>> latest = new EnumMap<>(JobQueue.class);
  private final Map<JobQueue, AtomicReference<QueueAlerts.Firing>> alertActive = new EnumMap<>(JobQueue.class);
  private QueueSampler sampler;
  private QueueAlerts alerts;
  private AlertNotifier notifier;
  private volatile boolean stopped;
  private long timerId = -1;
  private boolean lastSampleFailed;

  public QueueMonitorVerticle(Services services, AlertSettings settings) {
    this.services = services;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    sampler = new QueueSampler(services.redis(), services.keys());
    alerts = new QueueAlerts(services.redisApi(), services.keys(), settings);
    notifier = new AlertNotifier(vertx, settings.webhookUrl(), "port " + services.config().httpPort());
    registerGauges(services.meters());
    tick();
    return Future.succeededFuture();
  }

  private void registerGauges(MeterRegistry meters) {
    for (JobQueue queue : JobQueue.values()) {
      AtomicReference<QueueStats> stats = new AtomicReference<>(new QueueStats(queue, 0, 0, 0, 0));
      AtomicReference<QueueAlerts.Firing> active = new AtomicReference<>(QueueAlerts.Firing.NONE);
      latest.put(queue, stats);
      alertActive.put(queue, active);
      String name = queue.streamName();
      Gauge.builder("onsale.jobs.stream.length", stats, s -> s.get().length())
          .description("Entries in the job stream (XLEN)").tag("queue", name).register(meters);
      Gauge.builder("onsale.jobs.pending", stats, s -> s.get().pending())
          .description("Jobs handed to a worker and not yet acknowledged").tag("queue", name).register(meters);
      Gauge.builder("onsale.jobs.backlog", stats, s -> s.get().backlog())
          .description("Jobs not yet done: pending, undelivered and waiting for a retry (what the length alert watches)")
          .tag("queue", name).register(meters);
      Gauge.builder("onsale.jobs.retrying", stats, s -> s.get().retrying())
          .description("Jobs that failed a try and wait for the next one").tag("queue", name).register(meters);
      Gauge.builder("onsale.jobs.failed.last.minute", stats, s -> s.get().health().failuresInWindow())
          .description("Tries that failed within the last minute, on every worker").tag("queue", name).register(meters);
      Gauge.builder("onsale.jobs.oldest.age.seconds", stats, s -> s.get().oldestAgeSeconds())
          .description("Age of the oldest job not yet done").tag("queue", name).register(meters);
      Gauge.builder("onsale.jobs.dead.letters", stats, s -> s.get().deadLetters())
          .description("Jobs in the dead-letter stream (failed their last try)").tag("queue", name).register(meters);
      Gauge.builder("onsale.jobs.alert.threshold", settings, s -> s.threshold(queue))
          .description("Backlog above which the queue's alert fires").tag("queue", name).register(meters);
      Gauge.builder("onsale.alert.active", active, a -> a.get().active() ? 1 : 0)
          .description("1 while one of the queue's alerts fires (backlog or failing)").tag("queue", name).register(meters);
      Gauge.builder("onsale.jobs.failing", active, a -> a.get().reasons().containsKey(AlertReason.FAILING) ? 1 : 0)
          .description("1 while the queue's failing alert fires: 3 or more tries failed in a minute and none succeeded")
          .tag("queue", name).register(meters);
    }
  }

  private void tick() {
    if (stopped) {
      return;
    }
    sampler.sampleAll()
        .compose(this::record)
        .onSuccess(ignored -> lastSampleFailed = false)
        .onFailure(this::logFailure)
        .onComplete(ignored -> {
          if (!stopped) {
            timerId = vertx.setTimer(settings.intervalMs(), id -> tick());
          }
        });
  }

  private Future<Void> record(List<QueueStats> samples) {
    samples.forEach(stats -> latest.get(stats.queue()).set(stats));
    return alerts.update(samples)
        .compose(changes -> Future.all(changes.stream().map(notifier::announce).toList()))
        .compose(ignored -> alerts.firing())
        .map(firing -> {
          alertActive.forEach((queue, active) -> active.set(firing.getOrDefault(queue, QueueAlerts.Firing.NONE)));
          return null;
        });
  }

  /** Logs the first failure of a run of failures, not one line every few seconds. */
  private void logFailure(Throwable failure) {
    if (!lastSampleFailed) {
      LOG.atWarn().addKeyValue("component", "queue_monitor").log("sampling the job streams failed: {}", failure.getMessage());
    }
    lastSampleFailed = true;
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    return notifier.close();
  }
}
