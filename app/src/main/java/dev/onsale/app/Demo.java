package dev.onsale.app;

import dev.onsale.common.OnsaleConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts Onsale and creates a demo event through the organizer API: its queue opens at once and
 * its sale starts a minute later. Prints where to go.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Migrate, serve, and create a demo event whose queue opens now and whose sale starts in a minute.")
final class Demo implements Callable<Integer> {

  @Option(names = "--sale-in", description = "Seconds until the sale starts (default ${DEFAULT-VALUE}).")
  int saleInSeconds = 60;

  @Option(names = "--tickets", description = "Tickets per category (default ${DEFAULT-VALUE}).")
  int ticketsPerCategory = 500;

  @Override
  public Integer call() throws Exception {
    OnsaleConfig config = OnsaleConfig.fromEnvironment().validate();
    OnsaleApp app = Onsale.startOrExit(config);
    JsonObject event = createEvent(config);
    String base = "http://localhost:" + config.httpPort();
    System.out.println();
    System.out.println("  Onsale is running with a demo event: " + event.getString("name"));
    System.out.println("  Queue page (buyers):   " + base + "/e/" + event.getString("slug"));
    System.out.println("  Organizer page:        " + base + "/admin");
    System.out.println("  Operations page:       " + base + "/ops");
    System.out.println("  Metrics:               " + base + "/metrics");
    System.out.println("  Organizer token:       " + config.adminToken());
    System.out.println("  Event id:              " + event.getLong("id") + " (sale starts "
        + event.getString("saleStartsAt") + ")");
    System.out.println();
    Onsale.awaitShutdown(app);
    return 0;
  }

  private JsonObject createEvent(OnsaleConfig config) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String stamp = DateTimeFormatter.ofPattern("MMdd-HHmmss").withZone(ZoneOffset.UTC).format(now);
    JsonObject body = new JsonObject()
        .put("name", "Onsale Demo Night")
        .put("slug", "demo-" + stamp)
        .put("venue", "The Demo Hall, Berlin")
        .put("startsAt", now.plus(30, ChronoUnit.DAYS).toString())
        .put("queueOpensAt", now.toString())
        .put("saleStartsAt", now.plusSeconds(saleInSeconds).toString())
        .put("saleEndsAt", now.plus(7, ChronoUnit.DAYS).toString())
        .put("admissionRatePerMinute", 600)
        .put("maxActiveShoppers", 200)
        .put("maxTicketsPerOrder", 6)
        .put("holdSeconds", 600)
        .put("waitingRoom", "on")
        .put("preQueue", "fifo")
        .put("categories", new JsonArray()
            .add(new JsonObject().put("name", "Standing").put("priceCents", 4500).put("currency", "EUR")
                .put("capacity", ticketsPerCategory))
            .add(new JsonObject().put("name", "Seated").put("priceCents", 7900).put("currency", "EUR")
                .put("capacity", ticketsPerCategory)));
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.httpPort() + "/api/v1/admin/events"))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + config.adminToken())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException("creating the demo event failed: " + response.statusCode() + " " + response.body());
    }
    return new JsonObject(response.body());
  }
}
