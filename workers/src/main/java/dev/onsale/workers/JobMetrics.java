package dev.onsale.workers;

import dev.onsale.common.JobQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code onsale_jobs_processed_total{queue,outcome}} and {@code onsale_jobs_duration_seconds{queue}}
 * for one queue. Outcomes: {@code succeeded}, {@code retried}, {@code dead_lettered}.
 */
public final class JobMetrics {

  public enum Outcome {
    SUCCEEDED("succeeded"), RETRIED("retried"), DEAD_LETTERED("dead_lettered");

    final String tag;

    Outcome(String tag) {
      this.tag = tag;
    }
  }

  private final Map<Outcome, Counter> processed = new EnumMap<>(Outcome.class);
  private final Timer duration;

  public JobMetrics(MeterRegistry registry, JobQueue queue) {
    for (Outcome outcome : Outcome.values()) {
      processed.put(outcome, Counter.builder("onsale.jobs.processed")
          .description("Jobs processed, by outcome")
          .tag("queue", queue.streamName())
          .tag("outcome", outcome.tag)
          .register(registry));
    }
    duration = Timer.builder("onsale.jobs.duration")
        .description("Time one try of a job took")
        .tag("queue", queue.streamName())
        .register(registry);
  }

  public void record(Outcome outcome, long startedNanos) {
    processed.get(outcome).increment();
    duration.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
  }
}
