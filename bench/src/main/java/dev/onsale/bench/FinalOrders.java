package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;

/**
 * After the sale: reads every order back as its buyer can ({@code GET /api/v1/orders/{code}}), so
 * the integrity check knows which orders ended paid and which tickets they own. Orders still
 * pending are waited for until their tickets' keep ends (window and grace), within a bound, and
 * read again: the check then compares a settled sale with the stats, not one in motion.
 */
final class FinalOrders {

  private static final int IN_FLIGHT = 32;
  private static final int MAX_TRIES = 5;

  private final Vertx vertx;
  private final OnsaleApi api;
  private final Ledger ledger;

  private FinalOrders(Vertx vertx, OnsaleApi api, Ledger ledger) {
    this.vertx = vertx;
    this.api = api;
    this.ledger = ledger;
  }

  /**
   * Reads every order, then waits for the pending ones (up to {@code maxWaitSeconds}) and reads them
   * again; answers the number of seconds waited. Orders that could not be read stay out of
   * {@link Ledger#finals} (the check reports them).
   */
  static Future<Double> read(Vertx vertx, OnsaleApi api, Ledger ledger, int maxWaitSeconds) {
    FinalOrders reader = new FinalOrders(vertx, api, ledger);
    long t0 = System.nanoTime();
    return reader.readAll(List.copyOf(ledger.orders.keySet()))
        .compose(ignored -> {
          long waitMillis = reader.untilPendingSettle(maxWaitSeconds);
          if (waitMillis < 0) {
            return Future.succeededFuture();
          }
          Promise<Void> waited = Promise.promise();
          vertx.setTimer(Math.max(1, waitMillis), id -> waited.complete());
          return waited.future().compose(v -> reader.readAll(reader.pendingCodes()));
        })
        .map(ignored -> (System.nanoTime() - t0) / 1e9);
  }

  private List<String> pendingCodes() {
    return ledger.finals.values().stream().filter(o -> "pending".equals(o.status())).map(Ledger.FinalOrder::code).toList();
  }

  /** Milliseconds until the last pending order's tickets are released (plus a margin), or -1 when none is pending. */
  private long untilPendingSettle(int maxWaitSeconds) {
    Instant last = null;
    for (Ledger.FinalOrder o : ledger.finals.values()) {
      if (!"pending".equals(o.status())) {
        continue;
      }
      Instant kept = parse(o.keptUntil());
      if (kept == null) {
        kept = Instant.now().plusSeconds(maxWaitSeconds);
      }
      last = last == null || kept.isAfter(last) ? kept : last;
    }
    if (last == null) {
      return -1;
    }
    long millis = last.toEpochMilli() - System.currentTimeMillis() + 2_000;
    return Math.min(millis, maxWaitSeconds * 1000L);
  }

  private Future<Void> readAll(Collection<String> codes) {
    Deque<String> queue = new ArrayDeque<>(codes);
    Promise<Void> done = Promise.promise();
    int[] running = {0};
    vertx.runOnContext(v -> {
      if (queue.isEmpty()) {
        done.complete();
        return;
      }
      for (int i = 0; i < IN_FLIGHT && !queue.isEmpty(); i++) {
        running[0]++;
        next(queue, running, done);
      }
    });
    return done.future();
  }

  private void next(Deque<String> queue, int[] running, Promise<Void> done) {
    String code = queue.poll();
    if (code == null) {
      if (--running[0] == 0) {
        done.tryComplete();
      }
      return;
    }
    readOne(code, 1).onComplete(ignored -> next(queue, running, done));
  }

  private Future<Void> readOne(String code, int attempt) {
    Ledger.OrderSeen order = ledger.orders.get(code);
    return api.fetchOrder(code, order.secret()).compose(reply -> {
      if (reply.ok()) {
        ledger.finals.put(code, new Ledger.FinalOrder(code, reply.body().getString("status", ""),
            Buyer.tickets(reply.body().getJsonArray("tickets")), reply.body().getString("keptUntil")));
        return Future.succeededFuture();
      }
      if (reply.retryable() && attempt < MAX_TRIES) {
        Promise<Void> later = Promise.promise();
        vertx.setTimer(500L * attempt, id -> readOne(code, attempt + 1).onComplete(later));
        return later.future();
      }
      return Future.succeededFuture();
    });
  }

  private static Instant parse(String iso) {
    try {
      return iso == null ? null : Instant.parse(iso);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
