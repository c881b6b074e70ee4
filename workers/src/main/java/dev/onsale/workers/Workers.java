package dev.onsale.workers;

import dev.onsale.common.JobQueue;
import dev.onsale.common.PaymentJobs;
import dev.onsale.common.Roles;
import dev.onsale.common.Services;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The workers' entry point: the outbox relay and one worker verticle per job queue of this role
 * ({@code ONSALE_ROLES=workers} runs all five, {@code workers:mail} only mail), each queue with its
 * own Redis reader, concurrency and limits, so that one queue cannot starve another.
 */
public final class Workers {

  private Workers() {}

  /**
   * Deploys this instance's relay and queue workers. {@code payments} gives the sale core's side of
   * the payments queue, asked for only when this instance works that queue.
   */
  public static Future<Void> deploy(Services services, Supplier<PaymentJobs> payments) {
    try {
      return deployRoles(services, once(payments));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e); // a bad ONSALE_QUEUE_*, stream or housekeeping setting
    }
  }

  private static Future<Void> deployRoles(Services services, Supplier<PaymentJobs> payments) {
    Roles roles = services.config().roles();
    StreamSettings streams = StreamSettings.of(services.config());
    List<Future<String>> deployments = new ArrayList<>();
    if (roles.relay()) {
      deployments.add(services.vertx().deployVerticle(
          new OutboxRelayVerticle(services, RelaySettings.of(services.config()), streams)));
    }
    for (JobQueue queue : roles.workerQueues()) {
      QueueSettings settings = QueueSettings.of(services.config(), queue);
      deployments.add(deployQueue(services, settings, streams, handlerFor(services, settings, payments)));
      if (queue == JobQueue.BACKGROUND) {
        deployments.add(services.vertx().deployVerticle(
            new HousekeepingVerticle(services, HousekeepingSettings.of(services.config()), streams)));
      }
      if (queue == JobQueue.PAYMENTS) {
        deployments.add(services.vertx().deployVerticle(new PaymentWindowsVerticle(payments.get())));
      }
    }
    return Future.all(deployments).mapEmpty();
  }

  /** The payments queue's handler and its window sweep share one payment service (and provider client). */
  private static Supplier<PaymentJobs> once(Supplier<PaymentJobs> payments) {
    PaymentJobs[] built = new PaymentJobs[1];
    return () -> {
      if (built[0] == null) {
        built[0] = payments.get();
      }
      return built[0];
    };
  }

  /** Deploys one worker verticle for a queue with the given handler (tests bring their own). */
  public static Future<String> deployQueue(Services services, QueueSettings settings, JobHandler handler) {
    return deployQueue(services, settings, StreamSettings.of(services.config()), handler);
  }

  static Future<String> deployQueue(Services services, QueueSettings settings, StreamSettings streams, JobHandler handler) {
    return services.vertx().deployVerticle(
        new StreamWorkerVerticle(services, settings, streams, handler), new DeploymentOptions());
  }

  static JobHandler handlerFor(Services services, QueueSettings settings, Supplier<PaymentJobs> payments) {
    return switch (settings.queue()) {
      case TICKETS -> new TicketPdfHandler(services);
      case MAIL -> new ConfirmationMailHandler(services, settings, MailSettings.of(services.config()));
      case WEBHOOKS -> new WebhookHandler(services, settings);
      case BACKGROUND -> new BackgroundHandler(services);
      case PAYMENTS -> new PaymentJobHandler(payments.get());
    };
  }
}
