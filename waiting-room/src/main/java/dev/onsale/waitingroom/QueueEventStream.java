package dev.onsale.waitingroom;

import dev.onsale.common.RequestBodies;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/v1/events/{id}/queue/events}: the buyer's status as server-sent events. The token
 * is checked once when the stream opens; then each second the status is computed from memory and
 * sent when it changed (with a comment now and then to keep proxies from closing an idle stream).
 * The stream ends once the buyer is admitted or the sale closed, and after a while in any case;
 * {@code EventSource} reconnects by itself.
 */
final class QueueEventStream {

  private static final long PERIOD_MS = 1_000;
  private static final long HEARTBEAT_MS = 15_000;
  private static final long MAX_STREAM_MS = 10 * 60_000;

  private final WaitingRoomRuntime runtime;
  private final QueueApi api;

  QueueEventStream(WaitingRoomRuntime runtime, QueueApi api) {
    this.runtime = runtime;
    this.api = api;
  }

  void handle(RoutingContext ctx) {
    long eventId = RequestBodies.pathId(ctx, "eventId", "event");
    api.verifiedNumber(ctx, eventId)
        .compose(number -> runtime.snapshots().get(eventId)
            .map(snapshot -> {
              QueueApi.existingSnapshot(snapshot);
              return number;
            }))
        .onSuccess(number -> open(ctx, eventId, number))
        .onFailure(ctx::fail);
  }

  private void open(RoutingContext ctx, long eventId, long number) {
    HttpServerResponse response = ctx.response();
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        // Compression and proxy buffering would hold events back.
        .putHeader("Content-Encoding", "identity")
        .putHeader("X-Accel-Buffering", "no");
    response.write("retry: 3000\n\n");
    new Stream(ctx.vertx(), response, eventId, number).next();
  }

  private final class Stream {
    private final Vertx vertx;
    private final HttpServerResponse response;
    private final long eventId;
    private final long number;
    private final long openedAt;
    private String lastSent = "";
    private long lastWriteAt;
    private boolean closed;

    Stream(Vertx vertx, HttpServerResponse response, long eventId, long number) {
      this.vertx = vertx;
      this.response = response;
      this.eventId = eventId;
      this.number = number;
      this.openedAt = runtime.now();
      this.lastWriteAt = openedAt;
      response.closeHandler(v -> closed = true);
      response.exceptionHandler(e -> closed = true);
    }

    void next() {
      if (closed) {
        return;
      }
      long now = runtime.now();
      runtime.snapshots().get(eventId)
          .compose(snapshot -> runtime.status().of(QueueApi.existingSnapshot(snapshot), number, now))
          .onComplete(ar -> {
            if (closed) {
              return;
            }
            if (ar.failed()) {
              end();
              return;
            }
            send(ar.result(), now);
            String state = ar.result().getString("state");
            boolean finished = QueueStatus.ADMITTED.equals(state) || QueueStatus.CLOSED.equals(state);
            if (finished || now - openedAt > MAX_STREAM_MS) {
              end();
            } else {
              vertx.setTimer(PERIOD_MS, id -> next());
            }
          });
    }

    private void send(JsonObject status, long now) {
      // The admission token differs on every computation; compare without it.
      JsonObject comparable = status.copy();
      comparable.remove("admissionToken");
      comparable.remove("admissionExpiresAt");
      comparable.remove("secondsUntilSale");
      String key = comparable.encode();
      if (!key.equals(lastSent) || status.containsKey("admissionToken")) {
        lastSent = key;
        lastWriteAt = now;
        response.write("event: status\ndata: " + status.encode() + "\n\n");
      } else if (now - lastWriteAt >= HEARTBEAT_MS) {
        lastWriteAt = now;
        response.write(": keep-alive\n\n");
      }
    }

    private void end() {
      closed = true;
      response.end();
    }
  }
}
