package dev.onsale.sale;

import dev.onsale.common.AdminAuth;
import dev.onsale.common.ApiException;
import dev.onsale.common.Json;
import dev.onsale.common.RequestBodies;
import dev.onsale.common.Services;
import dev.onsale.common.WebModule;
import dev.onsale.common.WebhookAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Organizers' webhooks per event: register a URL (the answer carries the signing secret, shown
 * only then), list them, delete one. The workers POST each order event to every active hook with
 * {@code X-Onsale-Signature: sha256=<HMAC-SHA256 of the body with the secret>}; a {@code 410}
 * disables a hook.
 */
public final class WebhooksApi implements WebModule {

  static final int MAX_ACTIVE_PER_EVENT = 20;
  static final int MAX_URL_LENGTH = 2000;

  private static final String PATH = "/api/v1/admin/events/:eventId/webhooks";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pool pg;
  private final AdminAuth auth;
  private final Vertx vertx;
  private final WebhookAddresses addresses;

  public WebhooksApi(Services services) {
    this.pg = services.pg();
    this.auth = new AdminAuth(services.config().adminToken());
    this.vertx = services.vertx();
    this.addresses = WebhookAddresses.from(services.config());
  }

  @Override
  public void mount(Router router) {
    router.post(PATH).handler(auth).handler(this::create);
    router.get(PATH).handler(auth).handler(this::list);
    router.delete(PATH + "/:webhookId").handler(auth).handler(this::delete);
  }

  private void create(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    JsonObject body = RequestBodies.object(ctx);
    RequestBodies.onlyFields(body, Set.of("url"), "");
    String url = validUrl(RequestBodies.requireString(body, "url", 1, MAX_URL_LENGTH));
    String secret = newSecret();
    addresses.checkRegistration(vertx, URI.create(url).getHost())
        .compose(ignored -> requireEvent(eventId))
        .compose(ignored -> pg.preparedQuery(SaleSql.COUNT_ACTIVE_WEBHOOKS).execute(Tuple.of(eventId)))
        .compose(count -> count.iterator().next().getLong(0) >= MAX_ACTIVE_PER_EVENT
            ? Future.failedFuture(ApiException.conflict("too_many_webhooks",
                "an event can have at most " + MAX_ACTIVE_PER_EVENT + " active webhooks"))
            : pg.preparedQuery(SaleSql.INSERT_WEBHOOK).execute(Tuple.of(eventId, url, secret)))
        .onSuccess(rows -> {
          Row row = rows.iterator().next();
          JsonObject hook = new JsonObject()
              .put("id", row.getLong("id"))
              .put("eventId", eventId)
              .put("url", url)
              .put("secret", secret)
              .put("active", true)
              .put("createdAt", Json.instant(row.getOffsetDateTime("created_at")));
          // The answer carries the signing secret: never cached (Json.send says no-store).
          Json.send(ctx, 201, hook);
        })
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    requireEvent(eventId)
        .compose(ignored -> pg.preparedQuery(SaleSql.SELECT_WEBHOOKS).execute(Tuple.of(eventId)))
        .onSuccess(rows -> {
          JsonArray hooks = new JsonArray();
          for (Row row : rows) {
            hooks.add(new JsonObject()
                .put("id", row.getLong("id"))
                .put("eventId", eventId)
                .put("url", row.getString("url"))
                .put("active", row.getBoolean("active"))
                .put("createdAt", Json.instant(row.getOffsetDateTime("created_at")))
                .put("disabledAt", Json.instant(row.getOffsetDateTime("disabled_at")))
                .put("disabledReason", row.getString("disabled_reason")));
          }
          Json.send(ctx, 200, new JsonObject().put("webhooks", hooks));
        })
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    long webhookId = RequestBodies.pathId(ctx, "webhookId", "webhook");
    pg.preparedQuery(SaleSql.DELETE_WEBHOOK).execute(Tuple.of(webhookId, eventId))
        .onSuccess(rows -> {
          if (rows.rowCount() == 0) {
            ctx.fail(ApiException.notFound("webhook"));
          } else {
            ctx.response().setStatusCode(204).end();
          }
        })
        .onFailure(ctx::fail);
  }

  private Future<Void> requireEvent(long eventId) {
    return pg.preparedQuery(SaleSql.EVENT_EXISTS).execute(Tuple.of(eventId))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(ApiException.notFound("event")) : Future.succeededFuture());
  }

  /** An absolute http(s) URL with a host and no credentials or fragment. */
  static String validUrl(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw ApiException.invalid("url", "is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw ApiException.invalid("url", "must start with https:// or http://");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw ApiException.invalid("url", "must name a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw ApiException.invalid("url", "must not contain credentials");
    }
    if (uri.getRawFragment() != null) {
      throw ApiException.invalid("url", "must not contain a fragment");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw ApiException.invalid("url", "has an invalid port");
    }
    return uri.toString();
  }

  private static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
