package dev.onsale.app;

import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.sale.InvariantChecker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/** {@code onsale check}: runs the sale's invariants against ONSALE_PG_URL; exit 0 when all hold. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Check the sale's invariants: no ticket in two orders, every order's tickets sold, "
        + "capacity consistent. Prints a JSON report; exits 0 when all hold, 2 when one does not.")
final class CheckInvariants implements Callable<Integer> {

  @Override
  public Integer call() throws Exception {
    OnsaleConfig config = OnsaleConfig.fromEnvironment();
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = Clients.pgPool(vertx, config);
      JsonObject report = new InvariantChecker(pool).run().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
      System.out.println(report.encodePrettily());
      return report.getBoolean("ok") ? 0 : 2;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
