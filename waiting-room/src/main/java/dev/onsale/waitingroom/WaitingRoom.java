package dev.onsale.waitingroom;

import dev.onsale.common.Services;
import dev.onsale.common.WebModule;
import io.vertx.core.Future;

/**
 * The waiting room's entry points: its routes and pages ({@link #webModule}, mounted on every web
 * verticle's router), and the verticles every web instance runs once ({@link #deploy}): the
 * refresher of the shared queue state and the admission controller (which acts only while it holds
 * the leader lease). It uses Redis only, never PostgreSQL.
 */
public final class WaitingRoom {

  private WaitingRoom() {}

  public static WebModule webModule(Services services) {
    WaitingRoomRuntime runtime = WaitingRoomRuntime.of(services);
    QueueApi api = new QueueApi(runtime);
    PublicQueueApi publicApi = new PublicQueueApi(runtime);
    QueuePages pages = new QueuePages(runtime);
    return router -> {
      api.mount(router);
      publicApi.mount(router);
      pages.mount(router);
    };
  }

  public static Future<Void> deploy(Services services) {
    WaitingRoomRuntime runtime = WaitingRoomRuntime.of(services);
    return services.vertx().deployVerticle(new QueueRefresherVerticle(runtime))
        .compose(id -> services.vertx().deployVerticle(new AdmissionControllerVerticle(runtime)))
        .mapEmpty();
  }
}
