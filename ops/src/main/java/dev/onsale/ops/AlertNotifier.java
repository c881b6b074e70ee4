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
        .addKeyValue("alert", "queue_backlog")
        .addKeyValue("state", change.firing() ? "firing" : "resolved")
        .addKeyValue("queue", change.queue().streamName())
        .addKeyValue("backlog", stats.backlog())
        .addKeyValue("pending", stats.pending())
        .addKeyValue("oldestAgeSeconds", stats.oldestAgeSeconds())
        .addKeyValue("threshold", change.threshold())
        .log(text);
    if (http == null) {
      return Future.succeededFuture();
    }
    return post(new JsonObject().put("text", text), 1);
  }

  static String message(QueueAlerts.Transition change) {
    QueueStats stats = change.stats();
    String queue = change.queue().streamName();
    if (change.firing()) {
      return String.format(":rotating_light: Onsale: the %s job queue is backing up: %d jobs waiting "
              + "(threshold %d), %d in progress, oldest waiting %.0f s.",
          queue, stats.backlog(), change.threshold(), stats.pending(), stats.oldestAgeSeconds());
    }
    long minutes = Math.max(0, (System.currentTimeMillis() - change.since()) / 60_000);
    return String.format(":white_check_mark: Onsale: the %s job queue is back to normal: %d jobs waiting "
        + "(threshold %d), after %d min.", queue, stats.backlog(), change.threshold(), minutes);
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
