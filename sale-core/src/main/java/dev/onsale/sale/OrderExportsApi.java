package dev.onsale.sale;

import static dev.onsale.common.RequestBodies.pathId;

import dev.onsale.common.AdminAuth;
import dev.onsale.common.ApiException;
import dev.onsale.common.Json;
import dev.onsale.common.WebModule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * CSV export of an event's orders as a background job: asking for one writes the export row and
 * its outbox job in one transaction; the background worker writes the file; the organizer polls
 * the export and downloads it once ready.
 */
final class OrderExportsApi implements WebModule {

  private final AdminAuth auth;
  private final EventRepository events;
  private final Pool pool;

  OrderExportsApi(AdminAuth auth, EventRepository events, Pool pool) {
    this.auth = auth;
    this.events = events;
    this.pool = pool;
  }

  @Override
  public void mount(Router router) {
    router.post("/api/v1/admin/events/:eventId/orders/export").handler(auth).handler(this::start);
    router.get("/api/v1/admin/exports/:exportId").handler(auth).handler(this::show);
    router.get("/api/v1/admin/exports/:exportId/orders.csv").handler(auth).handler(this::download);
  }

  private void start(RoutingContext ctx) {
    long eventId = pathId(ctx, "eventId", "event");
    UUID id = UUID.randomUUID();
    events.find(eventId)
        .compose(event -> pool.withTransaction(conn -> conn.preparedQuery(SaleSql.INSERT_EXPORT).execute(Tuple.of(id, eventId))
            .compose(ignored -> conn.preparedQuery(SaleSql.INSERT_EXPORT_JOB).execute(Tuple.of(id.toString(), eventId)))
            .compose(ignored -> conn.query(SaleSql.NOTIFY_OUTBOX).execute())))
        .onSuccess(ignored -> Json.send(ctx, 202, new JsonObject()
            .put("id", id.toString())
            .put("eventId", eventId)
            .put("status", "pending")
            .put("url", "/api/v1/admin/exports/" + id)))
        .onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    find(ctx)
        .onSuccess(row -> Json.send(ctx, 200, toJson(row)))
        .onFailure(ctx::fail);
  }

  private void download(RoutingContext ctx) {
    find(ctx)
        .onSuccess(row -> {
          if (!"ready".equals(row.getString("status"))) {
            ctx.fail(ApiException.conflict("export_not_ready", "the export is still being written; try again shortly"));
            return;
          }
          ctx.response()
              .putHeader("Content-Type", "text/csv; charset=utf-8")
              .putHeader("Content-Disposition", "attachment; filename=\"orders-event-" + row.getLong("event_id") + ".csv\"")
              .putHeader("Cache-Control", "private, no-store")
              .sendFile(row.getString("path"))
              .onFailure(e -> {
                if (!ctx.response().headWritten()) {
                  ctx.fail(ApiException.notFound("export file"));
                }
              });
        })
        .onFailure(ctx::fail);
  }

  private Future<Row> find(RoutingContext ctx) {
    UUID id;
    try {
      String raw = ctx.pathParam("exportId");
      id = raw != null && raw.length() == 36 ? UUID.fromString(raw) : null;
    } catch (IllegalArgumentException e) {
      id = null;
    }
    if (id == null) {
      return Future.failedFuture(ApiException.notFound("export"));
    }
    return pool.preparedQuery(SaleSql.SELECT_EXPORT).execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(ApiException.notFound("export"))
            : Future.succeededFuture(rows.iterator().next()));
  }

  private static JsonObject toJson(Row row) {
    boolean ready = "ready".equals(row.getString("status"));
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("eventId", row.getLong("event_id"))
        .put("status", row.getString("status"))
        .put("orders", row.getInteger("orders"))
        .put("createdAt", Json.instant(row.getOffsetDateTime("created_at")))
        .put("finishedAt", Json.instant(row.getOffsetDateTime("finished_at")))
        .put("downloadUrl", ready ? "/api/v1/admin/exports/" + row.getUUID("id") + "/orders.csv" : null);
  }
}
