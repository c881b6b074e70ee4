package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.SplittableRandom;

/**
 * Drives a share of the load from one event loop: in the full mode it starts its buyers as the
 * arrival pattern says; in the reserve-only mode it keeps a fixed number of reservation requests
 * in flight until the tickets or the time run out (order-only: each hold ordered at once). Several drivers spread the load over cores.
 */
final class DriverVerticle extends VerticleBase {

  private static final long TICK_MILLIS = 5;
  /** Buyers started per tick at most, so that 100,000 arrivals "at once" never block the event loop. */
  private static final int MAX_STARTS_PER_TICK = 500;

  private final Settings settings;
  private final EventInfo event;
  private final Progress progress;
  private final Ledger ledger;
  private final RunClock clock;
  private final int driverIndex;
  private final int drivers;
  private final Promise<Recorder> finished = Promise.promise();

  private WebClient client;
  private WebClient shopClient;
  private Recorder recorder;
  private Run run;
  private int nextBuyer;
  private int outstanding;
  private boolean stopping;
  private long arrivalTimer = -1;

  DriverVerticle(Settings settings, EventInfo event, Progress progress, Ledger ledger, RunClock clock, int driverIndex, int drivers) {
    this.settings = settings;
    this.event = event;
    this.progress = progress;
    this.ledger = ledger;
    this.clock = clock;
    this.driverIndex = driverIndex;
    this.drivers = drivers;
  }

  /** Completes with this driver's figures once its buyers are done or the run's time is up. */
  Future<Recorder> finished() {
    return finished.future();
  }

  @Override
  public Future<?> start() {
    int connections = Math.max(1, settings.mode().closedLoop()
        ? Math.min(settings.connections(), share(settings.concurrency()))
        : settings.connections());
    client = client(connections);
    // The closed-loop modes have no queue: one pool. A full run's shop gets its own, unless told not to.
    boolean ownShopPool = !settings.mode().closedLoop() && settings.shopConnections() > 0;
    shopClient = ownShopPool ? client(settings.shopConnections()) : client;
    recorder = new Recorder(clock);
    run = new Run(settings, event, new OnsaleApi(client, shopClient, settings.baseUrl(), settings.adminToken(),
        settings.requestTimeoutMillis()), progress, ledger, clock, vertx);
    vertx.setTimer(Math.max(1, settings.runMillis() - clock.elapsedMillis()), id -> stop("time is up"));
    nextBuyer = driverIndex;
    if (settings.mode().closedLoop()) {
      for (int i = 0; i < share(settings.concurrency()); i++) {
        outstanding++;
        reserveLoop(new SplittableRandom(31L * driverIndex + i), i);
      }
    } else {
      arrivalTimer = vertx.setPeriodic(1, TICK_MILLIS, id -> admitArrivals());
    }
    return Future.succeededFuture();
  }

  private WebClient client(int connections) {
    return WebClient.create(vertx,
        new WebClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setConnectTimeout(10_000)
            .setUserAgent("onsale-bench"),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  private int share(int total) {
    return total / drivers + (driverIndex < total % drivers ? 1 : 0);
  }

  /** Starts every buyer of this driver whose arrival time has come (buyer i belongs to driver i mod n). */
  private void admitArrivals() {
    long now = clock.elapsedMillis();
    int started = 0;
    while (!stopping && nextBuyer < settings.buyers() && settings.arrivalMillis(nextBuyer) <= now
        && started++ < MAX_STARTS_PER_TICK && !joinsInFlightAtLimit()) {
      int index = nextBuyer;
      nextBuyer += drivers;
      outstanding++;
      new Buyer(index, run, recorder, new SplittableRandom(index * 7919L + 17)).start()
          .onComplete(ignored -> buyerDone());
    }
    if (nextBuyer >= settings.buyers() && arrivalTimer >= 0) {
      vertx.cancelTimer(arrivalTimer);
      arrivalTimer = -1;
      if (outstanding == 0) {
        stop("all buyers done");
      }
    }
  }

  /**
   * A join-only run measures the server: at most {@code --concurrency} joins in flight, each
   * finished join starting the next, instead of a million requests queued in this client until
   * they time out.
   */
  private boolean joinsInFlightAtLimit() {
    return switch (settings.mode()) {
      case JOIN_ONLY -> outstanding >= share(settings.concurrency());
      // A crowd's buyers stay after joining: count the joins not answered yet, over all drivers.
      case CROWD -> progress.arrived.get() - progress.joined.get() - progress.failed.get() >= settings.concurrency();
      default -> false;
    };
  }

  private void buyerDone() {
    outstanding--;
    if (outstanding == 0 && nextBuyer >= settings.buyers()) {
      stop("all buyers done");
    } else if (settings.mode() == Settings.Mode.JOIN_ONLY && nextBuyer < settings.buyers()) {
      admitArrivals();
    }
  }

  /** The reserve-only mode: one closed loop of reservations, back to back. */
  private void reserveLoop(SplittableRandom random, int loop) {
    if (stopping) {
      loopDone();
      return;
    }
    int categories = event.categories().size();
    int cursor = (loop + (int) ledger.reservations.get()) % categories;
    tryReserve(random, loop, cursor, 0);
  }

  private void tryReserve(SplittableRandom random, int loop, int cursor, int tried) {
    EventInfo.Category category = event.categories().get(cursor);
    long t0 = System.nanoTime();
    String key = settings.idempotencyKeys() ? "bench-" + driverIndex + "-" + loop + "-" + random.nextLong() : null;
    int quantity = settings.quantityMax() > settings.quantity()
        ? settings.quantity() + random.nextInt(settings.quantityMax() - settings.quantity() + 1) : settings.quantity();
    run.api().reserve(event.id(), null, category.id(), quantity, key).onSuccess(reply -> {
      if (reply.status() == 201 || reply.status() == 200) {
        // Counted even after the run stopped: every ticket handed out must be in the ledger.
        recorder.success(Step.RESERVE, t0);
        java.util.List<Ledger.Ticket> tickets = Buyer.tickets(reply.body().getJsonArray("tickets"));
        ledger.reserved(tickets);
        progress.reserved.incrementAndGet();
        progress.ticketsReserved.addAndGet(tickets.size());
        // A hold granted as the run stops (another loop just met sold out) is still ordered: every
        // ticket handed out ends in an order, so the counts the run reports add up.
        if (settings.mode() == Settings.Mode.ORDER_ONLY) {
          order(random, loop, reply.body(), 0);
        } else {
          reserveLoop(random, loop);
        }
      } else if (stopping) {
        loopDone();
      } else if (reply.status() == 409 && "sold_out".equals(reply.errorCode())) {
        recorder.soldOut(Step.RESERVE, t0);
        progress.soldOutAt(clock.elapsedMillis());
        if (tried + 1 < event.categories().size()) {
          tryReserve(random, loop, (cursor + 1) % event.categories().size(), tried + 1);
        } else {
          stop("sold out");
          loopDone();
        }
      } else {
        recorder.error(Step.RESERVE, reply.label());
        progress.errors.incrementAndGet();
        long wait = reply.retryAfterSeconds() != null ? reply.retryAfterSeconds() * 1000L : 50;
        vertx.setTimer(Math.max(1, wait), id -> reserveLoop(random, loop));
      }
    });
  }

  /**
   * The order-only mode: the hold just made is ordered at once (a pending order on a priced event,
   * a paid one on a free event); overload and rate limits are retried after their Retry-After.
   */
  private void order(SplittableRandom random, int loop, JsonObject hold, int tries) {
    long t0 = System.nanoTime();
    String key = settings.idempotencyKeys() ? "bench-o-" + hold.getString("id") : null;
    run.api().order(hold, null, "Bench Buyer", "buyer" + driverIndex + "-" + loop + "@bench.onsale.test", key)
        .onSuccess(reply -> {
          if (reply.status() == 201 || reply.status() == 200) {
            // Counted even after the run stopped: the integrity check must know every order.
            recorder.success(Step.ORDER, t0);
            JsonObject body = reply.body();
            String code = body.getString("code");
            ledger.orders.put(code, new Ledger.OrderSeen(code, body.getString("secret"),
                Buyer.tickets(body.getJsonArray("tickets"))));
            progress.ordered.incrementAndGet();
            if ("paid".equals(body.getString("status"))) {
              progress.paidAt(clock.elapsedMillis());
            }
            progress.orderAt(clock.elapsedMillis());
            reserveLoop(random, loop);
          } else if (reply.retryable() && tries < settings.maxRetries() && !stopping) {
            recorder.error(Step.ORDER, reply.label());
            progress.errors.incrementAndGet();
            long wait = reply.retryAfterSeconds() != null ? reply.retryAfterSeconds() * 1000L : 50;
            vertx.setTimer(Math.max(1, wait), id -> order(random, loop, hold, tries + 1));
          } else {
            // The hold stays held (the integrity check counts it so): on to the next reservation.
            recorder.error(Step.ORDER, reply.label());
            progress.errors.incrementAndGet();
            reserveLoop(random, loop);
          }
        });
  }

  private void loopDone() {
    outstanding--;
    if (outstanding <= 0) {
      stopping = true;
      complete();
    }
  }

  /**
   * Stops starting new work. Reservation loops drain first (an answer in flight may still hand out
   * tickets the integrity check must count), bounded by the request timeout; buyers still going
   * after the full mode's time limit are abandoned and reported as unfinished.
   */
  private void stop(String why) {
    stopping = true;
    if (arrivalTimer >= 0) {
      vertx.cancelTimer(arrivalTimer);
      arrivalTimer = -1;
    }
    if (settings.mode().closedLoop() && outstanding > 0) {
      vertx.setTimer(settings.requestTimeoutMillis() + 1_000L, id -> complete());
    } else {
      complete();
    }
  }

  private void complete() {
    if (!finished.future().isComplete()) {
      // Hand over a copy: buyers still in flight after a timeout keep writing to the live one.
      Recorder copy = new Recorder(clock);
      copy.add(recorder);
      finished.tryComplete(copy);
    }
  }

  @Override
  public Future<?> stop() {
    if (client != null) {
      client.close();
    }
    if (shopClient != null && shopClient != client) {
      shopClient.close();
    }
    return Future.succeededFuture();
  }
}
