package dev.onsale.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces an alert change: one structured log line, and a POST to the chat webhook when one is
 * configured ({@code {"text": ...}}, which Slack, Mattermost and Rocket.Chat incoming webhooks
 * accept). A failed POST is retried a few times with back-off and then only logged: alerting must
 * never stop the monitor.
 */
public final class AlertNotifier {

  private static final Logger LOG = LoggerFactory.getLogger(AlertNotifier.class);
  private static final int ATTEMPTS = 3;
  private static final int TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final String webhookUrl;
  private final String instance;
  private final HttpClient http;

  public AlertNotifier(Vertx vertx, String webhookUrl, String instance) {
    this.vertx = vertx;
    this.webhookUrl = webhookUrl;
    this.instance = instance;
    this.http = webhookUrl == null ? null : vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout(TIMEOUT_MS)
        .setIdleTimeout(30));
  }

  public Future<Void> announce(QueueAlerts.Transition change) {
    String text = message(change);
    QueueStats stats = change.stats();
    (change.firing() ? LOG.atWarn() : LOG.atInfo())
        .addKeyValue("alert", "queue_" + change.reason().tag())
        .addKeyValue("state", change.firing() ? "firing" : "resolved")
        .addKeyValue("queue", change.queue().streamName())
        .addKeyValue("reason", change.reason().tag())
        .addKeyValue("backlog", stats.backlog())
        .addKeyValue("pending", stats.pending())
        .addKeyValue("retrying", stats.retrying())
        .addKeyValue("failedLastMinute", stats.health().failuresInWindow())
        .addKeyValue("oldestAgeSeconds", stats.oldestAgeSeconds())
        .addKeyValue("threshold", change.threshold())
        .log(text);
    if (http == null) {
      return Future.succeededFuture();
    }
    return post(new JsonObject().put("text", text), 1);
  }

  static String message(QueueAlerts.Transition change) {
    return change.reason() == AlertReason.FAILING ? failingMessage(change) : backlogMessage(change);
  }

  private static String backlogMessage(QueueAlerts.Transition change) {
    QueueStats stats = change.stats();
    String queue = change.queue().streamName();
    if (change.firing()) {
      return String.format(":rotating_light: Onsale: the %s job queue is backing up: %d jobs waiting "
              + "(threshold %d), %d in progress, %d waiting for a retry, oldest waiting %.0f s.",
          queue, stats.backlog(), change.threshold(), stats.pending(), stats.retrying(), stats.oldestAgeSeconds());
    }
    return String.format(":white_check_mark: Onsale: the %s job queue is back to normal: %d jobs waiting "
        + "(threshold %d), after %d min.", queue, stats.backlog(), change.threshold(), minutesSince(change.since()));
  }

  private static String failingMessage(QueueAlerts.Transition change) {
    QueueStats stats = change.stats();
    String queue = change.queue().streamName();
    if (change.firing()) {
      return String.format(":rotating_light: Onsale: the %s job queue is failing: %d tries failed in the last minute "
              + "and none succeeded; %d jobs waiting for a retry, %d dead-lettered. Check what it depends on "
              + "(the SMTP server for mail, the receivers for webhooks).",
          queue, stats.health().failuresInWindow(), stats.retrying(), stats.deadLetters());
    }
    if (stats.health().succeededSince(change.since())) {
      return String.format(":white_check_mark: Onsale: the %s job queue works again: jobs succeed, %d waiting, "
          + "after %d min.", queue, stats.backlog(), minutesSince(change.since()));
    }
    return String.format(":white_check_mark: Onsale: the %s job queue has no jobs left to try after %d min of failures; "
        + "%d are in the dead-letter stream.", queue, minutesSince(change.since()), stats.deadLetters());
  }

  private static long minutesSince(long since) {
    return Math.max(0, (System.currentTimeMillis() - since) / 60_000);
  }

  private Future<Void> post(JsonObject body, int attempt) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(webhookUrl)
        .setTimeout(TIMEOUT_MS)
        .putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", "onsale-alerts (" + instance + ")");
    return http.request(options)
        .compose(request -> request.send(body.toBuffer()))
        .compose(response -> response.body().compose(ignored -> response.statusCode() / 100 == 2
            ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture("the alert webhook answered " + response.statusCode())))
        .recover(failure -> {
          if (attempt >= ATTEMPTS) {
            LOG.atError().addKeyValue("alert", "queue_backlog").log("could not post the alert to the webhook: {}",
                failure.getMessage());
            return Future.succeededFuture();
          }
          long delay = 500L << (attempt - 1);
          return Future.<Void>future(promise -> vertx.setTimer(delay, id -> promise.complete()))
              .compose(ignored -> post(body, attempt + 1));
        });
  }

  public Future<Void> close() {
    return http == null ? Future.succeededFuture() : http.close();
  }
}
