package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One simulated buyer on the real path: join the queue, follow it as the queue page does (the
 * public state, and its own status when its turn may have come; or, with {@code --follow status},
 * its own status with back-off) until admitted or sold out, reserve with the admission token, order,
 * pay a priced order on the test provider's page (or decline once, abandon, or pay late, as the
 * shares say), then fetch the order. Runs entirely on its driver's event loop: no locks, no
 * blocking.
 */
final class Buyer {

  enum Outcome { ORDERED, UNPAID, SOLD_OUT, FAILED, ADMITTED }

  /** The payment in hand: the order it pays and the attempt's id, page and window. */
  private record Payment(String code, String secret, String id, String url, Instant expiresAt) {}

  private final int index;
  private final Run run;
  private final Recorder recorder;
  private final SplittableRandom random;
  private final Promise<Outcome> done = Promise.promise();
  private final String idempotencyPrefix = UUID.randomUUID().toString();

  private String queueToken;
  private String admissionToken;
  /** The arrival number from the join answer: the buyer's place in a first-come queue. */
  private long number;
  /** The highest serving number seen: the page never lets it go back. */
  private long maxServing;
  private JsonObject lastState;
  private final WaitEstimates.PageEstimate pageEstimate = new WaitEstimates.PageEstimate();
  private boolean predictedInSale;
  private String stateEtag;
  private long lastStatusAt = -PagePolls.STATUS_GAP_MILLIS;
  /** Admitted, but every ticket was in a basket: the page waits for the public state to show some free. */
  private boolean waitingForTickets;
  private long pollDelay;
  private int retries;
  private int categoryCursor;
  private int categoriesTried;
  private int quantity;
  private Settings.Pay.Plan plan;
  /** Counts fresh tries after "all in baskets": each is a new request, with a new idempotency key. */
  private int reserveRound;

  Buyer(int index, Run run, Recorder recorder, SplittableRandom random) {
    this.index = index;
    this.run = run;
    this.recorder = recorder;
    this.random = random;
  }

  Future<Outcome> start() {
    run.progress().arrived.incrementAndGet();
    categoryCursor = index % run.event().categories().size();
    Settings s = run.settings();
    quantity = s.quantityMax() > s.quantity() ? s.quantity() + random.nextInt(s.quantityMax() - s.quantity() + 1) : s.quantity();
    run.ledger().ticketsRequested.addAndGet(quantity);
    // Drawn up front, so that the run knows how many tickets its paying buyers asked for.
    plan = s.pay().draw(random.nextDouble());
    if (s.pay().free() || (s.pay().on() && (plan == Settings.Pay.Plan.PAY || plan == Settings.Pay.Plan.DECLINE_THEN_PAY))) {
      run.ledger().ticketsRequestedToPay.addAndGet(quantity);
    }
    if (run.event().waitingRoom()) {
      join();
    } else {
      reserve();
    }
    return done.future();
  }

  private Vertx vertx() {
    return run.vertx();
  }

  private void join() {
    long t0 = System.nanoTime();
    run.api().join(run.event().id()).onSuccess(guard(Step.JOIN, reply -> {
      if (reply.ok()) {
        recorder.success(Step.JOIN, t0);
        run.progress().joined.incrementAndGet();
        retries = 0;
        queueToken = reply.body().getString("queueToken");
        number = reply.body().getLong("number", 0L);
        run.ledger().arrivalNumber(number);
        pollDelay = run.settings().pollMinMillis();
        if (run.settings().mode() == Settings.Mode.JOIN_ONLY) {
          finish(Outcome.ORDERED);
          return;
        }
        onQueueState(reply.body());
      } else {
        retryOrFail(Step.JOIN, reply, this::join);
      }
    }));
  }

  private void poll() {
    long t0 = System.nanoTime();
    run.progress().statusRequests.incrementAndGet();
    run.api().status(run.event().id(), queueToken).onSuccess(guard(Step.STATUS, reply -> {
      if (reply.ok()) {
        recorder.success(Step.STATUS, t0);
        retries = 0;
        onQueueState(reply.body());
      } else {
        retryOrFail(Step.STATUS, reply, this::poll);
      }
    }));
  }

  private void onQueueState(JsonObject body) {
    String state = body.getString("state", "");
    String token = body.getString("admissionToken");
    if (token != null) {
      if (admissionToken == null) {
        // Counted once: a buyer back from "all tickets in baskets" sees its admission again.
        run.progress().admitted.incrementAndGet();
      }
      admissionToken = token;
      if (run.settings().mode() == Settings.Mode.CROWD) {
        // The crowd measures waiting: an admitted buyer has left the queue for the shop.
        finish(Outcome.ADMITTED);
        return;
      }
      think(this::reserve);
    } else if ("sold_out".equals(state) || "closed".equals(state)) {
      soldOut();
    } else if (queueToken == null) {
      fail(Step.JOIN, "no queueToken");
    } else if (followsPage()) {
      // Just joined: the page reads the public state at once; after its own status, two seconds later.
      if (lastState == null) {
        pollState();
      } else {
        vertx().setTimer(jittered(PagePolls.STATUS_GAP_MILLIS), id -> pollState());
      }
    } else {
      vertx().setTimer(nextPollDelay(body), id -> poll());
    }
  }

  private boolean followsPage() {
    return run.settings().follow() == Settings.Follow.PAGE;
  }

  /** The public state, revalidated with its ETag (a 304 reuses the copy in hand). */
  private void pollState() {
    long t0 = System.nanoTime();
    run.progress().stateRequests.incrementAndGet();
    run.api().queueState(run.event().id(), lastState == null ? null : stateEtag).onSuccess(answer -> {
      Reply reply = answer.reply();
      guard(Step.STATE, r -> {
        if (r.status() == 304 && lastState != null) {
          recorder.success(Step.STATE, t0);
          retries = 0;
          onPublicState(lastState);
        } else if (r.ok()) {
          recorder.success(Step.STATE, t0);
          retries = 0;
          lastState = r.body();
          stateEtag = answer.etag();
          onPublicState(lastState);
        } else {
          retryOrFail(Step.STATE, r, this::pollState);
        }
      }).handle(reply);
    });
  }

  private void onPublicState(JsonObject state) {
    String name = state.getString("state", "");
    maxServing = Math.max(maxServing, state.getLong("serving", 0L));
    recordWait(state, name);
    if ("sold_out".equals(name) || "closed".equals(name)) {
      soldOut();
    } else if (waitingForTickets) {
      Number left = state.getNumber("ticketsLeft");
      if (left == null || left.longValue() > 0) {
        // Tickets came back: the page checks its admission is still good, then reserves.
        waitingForTickets = false;
        askStatus();
      } else {
        scheduleState(state);
      }
    } else if (PagePolls.turnMayHaveCome(state, number, maxServing)) {
      askStatus();
    } else {
      scheduleState(state);
    }
  }

  /** What the page would show as the wait now, and the serving value seen, for the estimate's error. */
  private void recordWait(JsonObject state, String name) {
    long now = run.clock().elapsedMillis();
    WaitEstimates estimates = run.ledger().waitEstimates;
    estimates.servingSeen(maxServing, now);
    if (admissionToken != null || number <= maxServing) {
      return;
    }
    Double seconds = pageEstimate.seconds(state, number, maxServing);
    if (seconds != null) {
      boolean firstInSale = !predictedInSale && "admitting".equals(name);
      predictedInSale |= firstInSale;
      estimates.predicted(number, now, seconds, firstInSale);
    }
  }

  private void scheduleState(JsonObject state) {
    double seconds = PagePolls.seconds(state, number - maxServing, random.nextDouble());
    vertx().setTimer(jittered(Math.round(seconds * 1000)), id -> pollState());
  }

  /** The turn may have come: the buyer's own status, not more often than the page asks it. */
  private void askStatus() {
    long now = run.clock().elapsedMillis();
    long wait = lastStatusAt + PagePolls.STATUS_GAP_MILLIS - now;
    if (wait > 0) {
      vertx().setTimer(wait, id -> askStatus());
      return;
    }
    lastStatusAt = now;
    poll();
  }

  /**
   * Back-off as the page does it: the wait between polls grows while the buyer waits, but never
   * past half the estimated wait, so a buyer near the front does not miss the admission.
   */
  private long nextPollDelay(JsonObject body) {
    Settings s = run.settings();
    long delay = pollDelay;
    pollDelay = Math.min(s.pollMaxMillis(), Math.round(pollDelay * 1.5));
    Number eta = body.getNumber("etaSeconds");
    if (eta != null) {
      delay = Math.min(delay, Math.max(s.pollMinMillis(), eta.longValue() * 500));
    }
    long jitter = delay / 5;
    return Math.max(1, delay - jitter + (jitter > 0 ? random.nextLong(2 * jitter + 1) : 0));
  }

  private void reserve() {
    EventInfo.Category category = run.event().categories().get(categoryCursor);
    long t0 = System.nanoTime();
    // One key per request, reused by its retries (a 503, a lost answer) so that they cannot claim
    // twice; a try after a sold-out answer is a new request: the server would replay the old answer.
    String key = run.settings().idempotencyKeys() ? idempotencyPrefix + "-r" + reserveRound + "-" + categoryCursor : null;
    run.api().reserve(run.event().id(), admissionToken, category.id(), quantity, key).onSuccess(guard(Step.RESERVE, reply -> {
      if (reply.status() == 201 || reply.status() == 200) {
        recorder.success(Step.RESERVE, t0);
        retries = 0;
        List<Ledger.Ticket> tickets = tickets(reply.body().getJsonArray("tickets"));
        run.ledger().reserved(tickets);
        run.progress().reserved.incrementAndGet();
        run.progress().ticketsReserved.addAndGet(tickets.size());
        JsonObject hold = reply.body();
        if (run.settings().mode() == Settings.Mode.FULL) {
          think(() -> order(hold));
        } else {
          finish(Outcome.ORDERED);
        }
      } else if (reply.status() == 409 && "sold_out".equals(reply.errorCode())) {
        recorder.soldOut(Step.RESERVE, t0);
        run.progress().soldOutAt(run.clock().elapsedMillis());
        categoriesTried++;
        if (categoriesTried < run.event().categories().size()) {
          // The page shows what is left: a buyer turned away from one category tries the next.
          categoryCursor = (categoryCursor + 1) % run.event().categories().size();
          reserve();
        } else if (Boolean.FALSE.equals(reply.body().getBoolean("soldOut"))) {
          // Every ticket is in a basket: some may come back (a payment abandoned, a hold let go).
          // The page says so and tries again; with the waiting room it follows the queue again.
          categoriesTried = 0;
          reserveRound++;
          if (run.event().waitingRoom() && queueToken != null && followsPage()) {
            waitingForTickets = true;
            scheduleState(lastState == null ? new JsonObject() : lastState);
          } else if (run.event().waitingRoom() && queueToken != null) {
            vertx().setTimer(jittered(run.settings().pollMaxMillis()), id -> poll());
          } else {
            vertx().setTimer(jittered(run.settings().pollMaxMillis()), id -> reserve());
          }
        } else {
          soldOut();
        }
      } else if (reply.status() == 401 && queueToken != null && retries < run.settings().maxRetries()) {
        // The admission lapsed before the reservation reached the server (a slow answer): the page
        // asks its status again, which hands out a fresh admission or says the turn is over.
        recorder.error(Step.RESERVE, reply.label());
        retries++;
        poll();
      } else {
        retryOrFail(Step.RESERVE, reply, this::reserve);
      }
    }));
  }

  private void order(JsonObject hold) {
    long t0 = System.nanoTime();
    String name = "Bench Buyer " + index;
    String email = "buyer" + index + "@bench.onsale.test";
    String key = run.settings().idempotencyKeys() ? idempotencyPrefix + "-o" : null;
    run.api().order(hold, admissionToken, name, email, key).onSuccess(guard(Step.ORDER, reply -> {
      if (reply.status() == 201 || reply.status() == 200) {
        recorder.success(Step.ORDER, t0);
        retries = 0;
        JsonObject body = reply.body();
        String code = body.getString("code");
        String secret = body.getString("secret");
        run.ledger().orders.put(code, new Ledger.OrderSeen(code, secret, tickets(body.getJsonArray("tickets"))));
        run.progress().ordered.incrementAndGet();
        run.progress().orderAt(run.clock().elapsedMillis());
        JsonObject payment = body.getJsonObject("payment");
        if ("paid".equals(body.getString("status"))) {
          run.ledger().paidByBuyer.put(code, "paid_at_order");
          run.progress().paidAt(run.clock().elapsedMillis());
          afterPayment(code, secret, true);
        } else if (payment == null || !run.settings().pay().on()) {
          // Nothing to pay with, or told not to: the order stays pending until its window ends.
          afterPayment(code, secret, false);
        } else {
          run.ledger().plans.put(code, plan);
          Payment p = new Payment(code, secret, payment.getString("id"), payment.getString("url"),
              instant(payment.getString("expiresAt")));
          think(() -> openPayment(p));
        }
      } else {
        retryOrFail(Step.ORDER, reply, () -> order(hold));
      }
    }));
  }

  /**
   * Opens the payment's page as the browser does: a 303 to the provider's checkout (not followed).
   * Past the deployment's session rate the answer is 503 with Retry-After: tried again after it.
   */
  private void openPayment(Payment p) {
    long t0 = System.nanoTime();
    run.api().openPayment(p.url()).onSuccess(guard(Step.PAY, reply -> {
      if (reply.status() == 303 || reply.status() == 302) {
        retries = 0;
        long openNanos = System.nanoTime() - t0;
        String location = reply.body().getString("location", "");
        if (!location.contains("/pay/test/")) {
          // Sent to the order page: this payment can no longer be paid (its window ended meanwhile).
          // No pay-step sample: the step (open, then press a button) never happened.
          run.ledger().payResult("not_payable");
          if (plan == Settings.Pay.Plan.LATE) {
            run.ledger().lateResult("not_payable");
          }
          afterPayment(p.code(), p.secret(), false);
          return;
        }
        switch (plan) {
          case PAY -> think(() -> decide(p, true, openNanos));
          case DECLINE_THEN_PAY -> think(() -> decide(p, false, openNanos));
          case ABANDON -> {
            // Leaves the page: no pay-step sample, only the count.
            run.ledger().payResult("abandoned");
            afterPayment(p.code(), p.secret(), false);
          }
          case LATE -> {
            // Still on the page when the window ends; presses "Pay" a moment into the grace.
            long wait = p.expiresAt() == null ? 0
                : p.expiresAt().toEpochMilli() - System.currentTimeMillis() + run.settings().pay().lateByMillis();
            vertx().setTimer(Math.max(1, wait), id -> decide(p, true, openNanos));
          }
        }
      } else {
        retryOrFail(Step.PAY, reply, () -> openPayment(p));
      }
    }));
  }

  /** "Pay" or "Decline" on the test provider's page; one pay-step sample with the page's opening. */
  private void decide(Payment p, boolean pay, long openNanos) {
    long t0 = System.nanoTime();
    run.api().testPayment(p.id(), pay).onSuccess(guard(Step.PAY, reply -> {
      boolean late = plan == Settings.Pay.Plan.LATE;
      if (reply.ok()) {
        recorder.elapsed(Step.PAY, openNanos + System.nanoTime() - t0);
        retries = 0;
        String result = reply.body().getString("result", "unknown");
        run.ledger().payResult(result);
        if (late) {
          run.ledger().lateResult(result);
        }
        if ("paid".equals(result) || "late_completed".equals(result)) {
          run.ledger().paidByBuyer.put(p.code(), result);
          run.progress().paidAt(run.clock().elapsedMillis());
          afterPayment(p.code(), p.secret(), true);
        } else if (!pay && "failed".equals(result)) {
          think(() -> newAttempt(p));
        } else {
          afterPayment(p.code(), p.secret(), false);
        }
      } else if (reply.status() == 409 && "session_not_open".equals(reply.errorCode())) {
        // Reconciliation expired the session when the window ended: expected for a late buyer.
        recorder.elapsed(Step.PAY, openNanos + System.nanoTime() - t0);
        if (!late) {
          recorder.error(Step.PAY, reply.label());
          run.progress().errors.incrementAndGet();
        }
        run.ledger().payResult("session_not_open");
        if (late) {
          run.ledger().lateResult("session_not_open");
        }
        afterPayment(p.code(), p.secret(), false);
      } else {
        retryOrFail(Step.PAY, reply, () -> decide(p, pay, openNanos));
      }
    }));
  }

  /** After a decline: a new attempt for the pending order, then its page, then "Pay". */
  private void newAttempt(Payment declined) {
    long t0 = System.nanoTime();
    run.api().newPaymentAttempt(declined.code(), declined.secret()).onSuccess(guard(Step.ATTEMPT, reply -> {
      if (reply.status() == 201 || reply.status() == 200) {
        recorder.success(Step.ATTEMPT, t0);
        retries = 0;
        JsonObject body = reply.body();
        plan = Settings.Pay.Plan.PAY;
        Payment next = new Payment(declined.code(), declined.secret(), body.getString("id"), body.getString("url"),
            instant(body.getString("expiresAt")));
        think(() -> openPayment(next));
      } else if (reply.status() == 409) {
        // The order is no longer pending (its window ended): nothing left to pay.
        recorder.error(Step.ATTEMPT, reply.label());
        run.progress().errors.incrementAndGet();
        afterPayment(declined.code(), declined.secret(), false);
      } else {
        retryOrFail(Step.ATTEMPT, reply, () -> newAttempt(declined));
      }
    }));
  }

  private void afterPayment(String code, String secret, boolean paid) {
    if (!paid) {
      run.progress().unpaid.incrementAndGet();
    }
    if (run.settings().fetchOrders()) {
      think(() -> fetch(code, secret, paid ? Outcome.ORDERED : Outcome.UNPAID));
    } else {
      finish(paid ? Outcome.ORDERED : Outcome.UNPAID);
    }
  }

  private static Instant instant(String iso) {
    try {
      return iso == null ? null : Instant.parse(iso);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private long jittered(long delay) {
    long jitter = delay / 5;
    return Math.max(1, delay - jitter + (jitter > 0 ? random.nextLong(2 * jitter + 1) : 0));
  }

  private void fetch(String code, String secret, Outcome outcome) {
    long t0 = System.nanoTime();
    run.api().fetchOrder(code, secret).onSuccess(guard(Step.FETCH, reply -> {
      if (reply.ok()) {
        recorder.success(Step.FETCH, t0);
        run.ledger().fetched.put(code, new Ledger.OrderSeen(code, secret, tickets(reply.body().getJsonArray("tickets"))));
        run.ledger().fetchedStatus.put(code, reply.body().getString("status", ""));
        run.progress().fetched.incrementAndGet();
        finish(outcome);
      } else {
        retryOrFail(Step.FETCH, reply, () -> fetch(code, secret, outcome));
      }
    }));
  }

  /** A bug in the bench (say, an answer of an unexpected shape) fails the buyer loudly instead of stalling it. */
  private io.vertx.core.Handler<Reply> guard(Step step, io.vertx.core.Handler<Reply> handler) {
    return reply -> {
      try {
        handler.handle(reply);
      } catch (RuntimeException e) {
        recorder.error(step, "unexpected answer " + reply.status() + " (" + e.getClass().getSimpleName() + ")");
        run.progress().errors.incrementAndGet();
        fail(step, e.toString());
      }
    };
  }

  /** Overload and rate limits are retried after the server's Retry-After; anything else ends the buyer. */
  private void retryOrFail(Step step, Reply reply, Runnable again) {
    recorder.error(step, reply.label());
    run.progress().errors.incrementAndGet();
    if (reply.retryable() && retries < run.settings().maxRetries()) {
      retries++;
      long wait = reply.retryAfterSeconds() != null
          ? Math.min(5_000, reply.retryAfterSeconds() * 1000L)
          : Math.min(2_000, 100L << Math.min(retries, 5));
      vertx().setTimer(Math.max(1, wait / 2 + random.nextLong(wait / 2 + 1)), id -> again.run());
    } else {
      fail(step, reply.label());
    }
  }

  private void think(Runnable next) {
    int think = run.settings().thinkMillis();
    if (think <= 0) {
      next.run();
    } else {
      vertx().setTimer(1 + random.nextInt(think), id -> next.run());
    }
  }

  private void soldOut() {
    run.progress().soldOut.incrementAndGet();
    run.progress().soldOutAt(run.clock().elapsedMillis());
    finish(Outcome.SOLD_OUT);
  }

  private void fail(Step step, String why) {
    run.progress().failed.incrementAndGet();
    finish(Outcome.FAILED);
  }

  private void finish(Outcome outcome) {
    run.progress().finished.incrementAndGet();
    done.tryComplete(outcome);
  }

  static List<Ledger.Ticket> tickets(JsonArray array) {
    List<Ledger.Ticket> tickets = new ArrayList<>();
    if (array == null) {
      return tickets;
    }
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      if (item instanceof JsonObject t) {
        tickets.add(new Ledger.Ticket(t.getLong("id"), t.getLong("categoryId", -1L)));
      } else if (item instanceof Number n) {
        tickets.add(new Ledger.Ticket(n.longValue(), -1L));
      }
    }
    return tickets;
  }
}
