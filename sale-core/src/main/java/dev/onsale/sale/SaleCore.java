package dev.onsale.sale;

import dev.onsale.common.AdminAuth;
import dev.onsale.common.AdmissionSlots;
import dev.onsale.common.Clients;
import dev.onsale.common.Services;
import dev.onsale.common.WebModule;
import dev.onsale.sale.payment.PaymentService;
import dev.onsale.sale.payment.Payments;
import dev.onsale.sale.payment.PaymentsApi;
import dev.onsale.sale.payment.ShopPages;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;

/** The sale core's entry points: its HTTP API and its background verticles. */
public final class SaleCore {

  private SaleCore() {}

  /** Called once per web verticle instance: caches here are that event loop's own. */
  public static WebModule webModule(Services services) {
    EventRepository events = new EventRepository(services.pg());
    SaleRepository sales = new SaleRepository(services.pg());
    EventPublisher publisher = new EventPublisher(services.redis(), services.keys());
    EventCache<Event> cache = new EventCache<>(1000, events::find);
    SaleMetrics metrics = new SaleMetrics(services.meters());
    PaymentService payments = Payments.service(services);
    SaleSettings settings = SaleSettings.of(services.config()); // after the payment settings: theirs are reported first
    ShopApi shop = new ShopApi(cache, events, sales, new Idempotency(services.pg()), services.tokens(),
        new AdmissionSlots(services.redis(), services.keys()), metrics, batcher(services, settings), payments,
        settings.trustForwardedFor());
    AdminApi admin = new AdminApi(new AdminAuth(services.config().adminToken()), events, sales, publisher,
        services.redis(), services.keys(), payments, eventId -> {
          cache.invalidate(eventId);
          services.vertx().eventBus().send(AvailabilityVerticle.DIRTY_ADDRESS, eventId);
        });
    ShopPages pages = new ShopPages();
    PaymentsApi paymentsApi = new PaymentsApi(payments, pages);
    OpenApiDocument openApi = new OpenApiDocument();
    OrderExportsApi exports = new OrderExportsApi(new AdminAuth(services.config().adminToken()), events, services.pg());
    return new WebModule() {
      @Override
      public void mount(io.vertx.ext.web.Router router) {
        admin.mount(router);
        shop.mount(router);
        pages.mount(router);
        paymentsApi.mount(router);
        openApi.mount(router);
        new WebhooksApi(services).mount(router);
        exports.mount(router);
      }

      @Override
      public java.util.List<String> rawBodyPaths() {
        return paymentsApi.rawBodyPaths();
      }
    };
  }

  /**
   * Coalescing of reservations (on unless the batch size is 1): up to that many buyers of one
   * category share a claim transaction, sent on this verticle's own connection rather than through
   * the shared pool's line.
   */
  private static ReservationBatcher batcher(Services services, SaleSettings settings) {
    return settings.batching()
        ? new ReservationBatcher(Clients.pgConnectionOfItsOwn(services.vertx(), services.config()),
            settings.reservationBatchSize(), settings.reservationQueueLimit())
        : null;
  }

  /** The availability publisher and the hold sweeper, one of each per process. */
  public static Future<Void> deploy(Services services) {
    EventRepository events = new EventRepository(services.pg());
    SaleRepository sales = new SaleRepository(services.pg());
    EventPublisher publisher = new EventPublisher(services.redis(), services.keys());
    return services.vertx()
        .deployVerticle(new AvailabilityVerticle(events, publisher, services.meters()), new DeploymentOptions())
        .compose(ignored -> services.vertx().deployVerticle(new HoldSweeperVerticle(sales), new DeploymentOptions()))
        .mapEmpty();
  }
}
