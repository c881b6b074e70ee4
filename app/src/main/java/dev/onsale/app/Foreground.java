package dev.onsale.app;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Services;
import dev.onsale.common.WebModule;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An instance run in the foreground by a command ({@code serve}, {@code demo}): started or the
 * process exits with the reason in one line, then kept until SIGTERM or SIGINT. Its own class so
 * that the commands depend on it and the launcher only lists the commands.
 */
final class Foreground {

  private Foreground() {}

  static OnsaleApp startOrExit(OnsaleConfig config, List<Function<Services, WebModule>> extraRoutes) {
    try {
      return OnsaleApp.start(config, extraRoutes).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("onsale could not start: " + cause.getMessage());
      System.exit(1);
      return null;
    }
  }

  /** Blocks main until SIGTERM or SIGINT, then stops gracefully: in-flight requests and jobs finish. */
  static void awaitShutdown(OnsaleApp app) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        app.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
      stopped.countDown();
    }, "onsale-shutdown"));
    stopped.await();
  }
}
