package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark run from start to report: prepare the event, deploy the drivers, show progress,
 * merge their figures, check integrity against the organizer's stats. Called from {@code main} or a
 * test thread; it blocks that thread, never an event loop.
 */
public final class LoadRun {

  private final Settings settings;
  private final PrintStream console;

  LoadRun(Settings settings, PrintStream console) {
    this.settings = settings;
    this.console = console;
  }

  Report execute() {
    int drivers = Math.max(1, settings.eventLoops());
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(drivers + 1));
    try {
      WebClient adminClient = WebClient.create(vertx, new WebClientOptions().setUserAgent("onsale-bench"),
          new PoolOptions().setHttp1MaxSize(32));
      OnsaleApi admin = new OnsaleApi(adminClient, settings.baseUrl(), settings.adminToken(), 300_000);
      EventInfo event = await(EventSetup.prepare(admin, settings), 600);
      if (!settings.quiet()) {
        console.println("event " + event.id() + " (" + event.slug() + "): " + event.capacity() + " tickets in "
            + event.categories().size() + " categories, waiting room " + (event.waitingRoom() ? "on" : "off"));
      }
      Progress progress = new Progress();
      Ledger ledger = new Ledger();
      RunClock clock = new RunClock(settings.mode().closedLoop() ? settings.warmupSeconds() : 0);
      ProgressBar bar = new ProgressBar(settings, progress, clock, console);
      long barTimer = settings.quiet() ? -1 : vertx.setPeriodic(500, id -> bar.tick());

      List<DriverVerticle> deployed = new ArrayList<>();
      List<Future<Recorder>> finished = new ArrayList<>();
      for (int i = 0; i < drivers; i++) {
        DriverVerticle driver = new DriverVerticle(settings, event, progress, ledger, clock, i, drivers);
        deployed.add(driver);
        finished.add(driver.finished());
        await(vertx.deployVerticle(driver), 60);
      }
      Future<CrowdWindow.Edge> windowOpened = null;
      CrowdWindow window = new CrowdWindow(vertx, adminClient, settings.origin(), progress, clock);
      if (settings.mode() == Settings.Mode.CROWD) {
        windowOpened = opensAt(vertx, settings.crowdWindowStartMillis() - clock.elapsedMillis(), window);
      }
      long limit = settings.runMillis() / 1000 + 60L;
      await(Future.join(finished), limit);
      JsonObject crowd = windowOpened == null ? null
          : CrowdWindow.between(await(windowOpened, 60), await(window.read(), 60));
      double seconds = clock.elapsedSeconds();
      if (barTimer >= 0) {
        vertx.cancelTimer(barTimer);
        bar.finish();
      }
      Recorder merged = new Recorder(clock);
      finished.forEach(f -> merged.add(f.result()));

      Double settledAfter = null;
      if (settings.mode() == Settings.Mode.FULL && !ledger.orders.isEmpty()) {
        // Every order read back; pending ones once their window and grace are over (bounded).
        int maxWait = Math.min(900, settings.pay().paymentSeconds() + settings.pay().graceSeconds() + 30);
        settledAfter = await(FinalOrders.read(vertx, admin, ledger, maxWait), maxWait + 600L);
      }

      JsonObject pdfs = null;
      java.util.Set<String> paidCodes = ledger.paidOrders().keySet();
      if (settings.awaitPdfsSeconds() > 0 && !paidCodes.isEmpty()) {
        long t0 = System.nanoTime();
        PdfWaiter waiter = new PdfWaiter(vertx, admin, ledger, paidCodes, settings.awaitPdfsSeconds());
        boolean ready = await(waiter.await(), settings.awaitPdfsSeconds() + 120L);
        pdfs = new JsonObject()
            .put("allReady", ready)
            .put("secondsAfterSale", (System.nanoTime() - t0) / 1e9)
            .put("ordersWithoutPdfs", waiter.pendingOrders());
      }

      Reply statsReply = await(admin.stats(event.id()), 120);
      JsonObject stats = statsReply.ok() ? statsReply.body() : new JsonObject().put("error", statsReply.label());
      List<IntegrityCheck.Check> checks = switch (settings.mode()) {
        case RESERVE_ONLY -> IntegrityCheck.reserveOnly(event, stats, ledger);
        case ORDER_ONLY -> IntegrityCheck.orderOnly(event, stats, ledger);
        case FULL -> IntegrityCheck.full(event, stats, ledger, progress, settings);
        case JOIN_ONLY, CROWD -> IntegrityCheck.joinOnly(stats, progress, ledger, settings);
      };
      if (settings.mode() == Settings.Mode.FULL && settings.eventId() == null) {
        // Only for an event this run created: an existing event may hold orders from before.
        Future<java.util.Map<String, Long>> listed = AdminOrders.read(admin, event.id());
        try {
          java.util.Map<String, Long> orders = await(listed, 300);
          checks = new ArrayList<>(checks);
          checks.add(IntegrityCheck.adminOrders(orders, ledger));
        } catch (IllegalStateException e) {
          checks = new ArrayList<>(checks);
          checks.add(new IntegrityCheck.Check("the organizer's order list matches the buyers' orders", false, e.getMessage()));
        }
      }
      String serverInvariants = "not asked";
      if (settings.serverInvariants()) {
        Reply invariants = await(admin.invariants(), 120);
        serverInvariants = invariants.ok() ? "checked" : "not available: " + invariants.label();
        if (invariants.ok()) {
          checks = new ArrayList<>(checks);
          checks.addAll(IntegrityCheck.serverInvariants(invariants.body()));
        }
      }
      if (!statsReply.ok()) {
        checks = new ArrayList<>(checks);
        checks.add(0, new IntegrityCheck.Check("organizer stats readable", false, "GET stats answered " + statsReply.label()));
      }
      Report report = Report.build(settings, event, clock, seconds, progress, ledger, merged, stats, checks, pdfs);
      report.json().put("serverInvariants", serverInvariants).put("ordersReadBackAfterSeconds", settledAfter);
      if (crowd != null) {
        report.json().put("crowd", crowd);
      }
      return report;
    } finally {
      await(vertx.close(), 30);
    }
  }

  /** The window's first edge, read {@code delayMillis} from now. */
  private static Future<CrowdWindow.Edge> opensAt(Vertx vertx, long delayMillis, CrowdWindow window) {
    io.vertx.core.Promise<CrowdWindow.Edge> opened = io.vertx.core.Promise.promise();
    vertx.setTimer(Math.max(1, delayMillis), id -> window.read().onComplete(opened));
    return opened.future();
  }

  private static <T> T await(Future<T> future, long seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("gave up waiting after " + seconds + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
