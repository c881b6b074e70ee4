package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * After the sale: re-reads every paid order until each of its tickets has a PDF link, so the report
 * tells how long the workers took to render all PDFs (the mail follows the PDFs).
 */
final class PdfWaiter {

  private final Vertx vertx;
  private final OnsaleApi api;
  private final Ledger ledger;
  private final long deadlineNanos;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final Promise<Boolean> done = Promise.promise();

  /** Waits for the PDFs of the orders named (the paid ones: only those get PDFs). */
  PdfWaiter(Vertx vertx, OnsaleApi api, Ledger ledger, java.util.Collection<String> codes, int seconds) {
    this.vertx = vertx;
    this.api = api;
    this.ledger = ledger;
    this.deadlineNanos = System.nanoTime() + seconds * 1_000_000_000L;
    pending.addAll(codes);
  }

  /** True when every order's PDFs were ready before the deadline. */
  Future<Boolean> await() {
    vertx.runOnContext(v -> round());
    return done.future();
  }

  int pendingOrders() {
    return pending.size();
  }

  private void round() {
    if (pending.isEmpty()) {
      done.tryComplete(true);
      return;
    }
    if (System.nanoTime() > deadlineNanos) {
      done.tryComplete(false);
      return;
    }
    List<Future<?>> reads = new ArrayList<>();
    for (String code : List.copyOf(pending)) {
      Ledger.OrderSeen order = ledger.orders.get(code);
      reads.add(api.fetchOrder(code, order.secret()).onSuccess(reply -> {
        JsonArray tickets = reply.body().getJsonArray("tickets");
        if (reply.ok() && tickets != null && !tickets.isEmpty() && allHavePdf(tickets)) {
          pending.remove(code);
        }
      }));
    }
    Future.join(reads).onComplete(ignored -> vertx.setTimer(pending.isEmpty() ? 1 : 1000, id -> round()));
  }

  private static boolean allHavePdf(JsonArray tickets) {
    for (int i = 0; i < tickets.size(); i++) {
      Object url = tickets.getJsonObject(i).getValue("pdfUrl");
      if (url == null || String.valueOf(url).isEmpty()) {
        return false;
      }
    }
    return true;
  }
}
