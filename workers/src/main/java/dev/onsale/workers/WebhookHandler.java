package dev.onsale.workers;

import dev.onsale.common.Job;
import dev.onsale.common.JobCatalog;
import dev.onsale.common.Services;
import dev.onsale.common.WebhookAddresses;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code webhooks} queue: POSTs each order event as JSON to every active hook of its event, signed
 * with the hook's secret. A hook that answered 2xx is remembered for this job (table
 * {@code webhook_deliveries}, so it survives Redis losing its data), so a retry for a failing hook,
 * or the job sent again after a Redis data loss, does not deliver twice to the others. A {@code 410 Gone} disables the
 * hook; any other failure retries the job with back-off until the queue's retry period ends.
 */
public final class WebhookHandler implements JobHandler {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);

  private final Services services;
  private final QueueSettings settings;
  private final HttpClientAgent http;
  private final WebhookAddresses addresses;

  public WebhookHandler(Services services, QueueSettings settings) {
    this.services = services;
    this.settings = settings;
    this.addresses = WebhookAddresses.from(services.config());
    int timeout = (int) Math.max(1000, settings.timeoutMillis() - 500);
    this.http = services.vertx().createHttpClient(new HttpClientOptions()
        .setConnectTimeout(timeout)
        .setIdleTimeout(Math.max(1, timeout / 1000))
        .setMaxRedirects(0)
        .setTrustAll(false)
        .setVerifyHost(true), new PoolOptions().setHttp1MaxSize(settings.concurrency()));
  }

  @Override
  public Future<Void> close() {
    return http.close();
  }

  @Override
  public Future<Void> handle(Job job) {
    long eventId = new JobPayload(job).requireLong(JobCatalog.EVENT_ID);
    Buffer body = new JsonObject()
        .put("id", job.id())
        .put("type", job.type())
        .put("data", job.payload())
        .toBuffer();
    return services.pg().preparedQuery(WorkerSql.SELECT_HOOKS).execute(Tuple.of(eventId, job.id()))
        .compose(rows -> {
          List<Future<Void>> deliveries = new ArrayList<>();
          for (Row hook : rows) {
            if (!hook.getBoolean("delivered")) {
              deliveries.add(deliver(job, hook, body));
            }
          }
          return Future.join(deliveries).transform(ar -> failures(deliveries));
        });
  }

  private Future<Void> failures(List<Future<Void>> deliveries) {
    List<String> errors = deliveries.stream().filter(Future::failed).map(f -> f.cause().getMessage()).toList();
    return errors.isEmpty() ? Future.succeededFuture() : Future.failedFuture(new IllegalStateException(String.join("; ", errors)));
  }

  private Future<Void> deliver(Job job, Row hook, Buffer body) {
    long hookId = hook.getLong("id");
    String url = hook.getString("url");
    URI uri = URI.create(url);
    int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    // Resolved and checked now, and the connection goes to the address that was checked: a name
    // that pointed at a public address at registration cannot be turned to a private one since.
    return addresses.resolveForDelivery(services.vertx(), uri.getHost())
        .compose(address -> send(job, hookId, url, body, hook.getString("secret"),
            SocketAddress.inetSocketAddress(port, address.getHostAddress())))
        .recover(e -> Future.failedFuture(e instanceof HookRejected ? e : new HookRejected("hook " + hookId + ": " + e.getMessage())));
  }

  private Future<Void> send(Job job, long hookId, String url, Buffer body, String secret, SocketAddress server) {
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        .setServer(server)
        .setTimeout(Math.max(1000, settings.timeoutMillis() - 500))
        .putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", "Onsale-Webhooks/1")
        .putHeader("X-Onsale-Event", job.type())
        .putHeader("X-Onsale-Delivery", String.valueOf(job.id()))
        .putHeader(WebhookSignature.HEADER, WebhookSignature.sign(secret, body.getBytes()));
    return http.request(request)
        .compose(req -> req.send(body))
        .compose(response -> response.body().map(ignored -> response))
        .compose(response -> outcome(job, hookId, url, response));
  }

  private Future<Void> outcome(Job job, long hookId, String url, HttpClientResponse response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return markDelivered(job, hookId);
    }
    if (status == 410) {
      LOG.info("webhook {} ({}) answered 410 Gone: disabled", hookId, url);
      return services.pg().preparedQuery(WorkerSql.DISABLE_HOOK).execute(Tuple.of(hookId, "410 Gone")).mapEmpty();
    }
    return Future.failedFuture(new HookRejected("hook " + hookId + " answered " + status));
  }

  private Future<Void> markDelivered(Job job, long hookId) {
    return services.pg().preparedQuery(WorkerSql.RECORD_DELIVERY).execute(Tuple.of(job.id(), hookId))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture()); // delivered all the same; a retry may repeat it
  }

  static final class HookRejected extends RuntimeException {
    HookRejected(String message) {
      super(message, null, false, false);
    }
  }
}
