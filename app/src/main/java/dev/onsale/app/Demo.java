package dev.onsale.app;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Services;
import dev.onsale.common.WebModule;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Starts Onsale and creates a demo event through the organizer API: its queue opens at once and
 * its sale starts a minute later. Keeps the demo's mails in-process (unless {@code ONSALE_SMTP_HOST}
 * is set) and shows them at {@code /demo/mail}; with {@code --crowd N}, sends N simulated buyers
 * into the queue. Prints where to go.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Migrate, serve, and create a demo event whose queue opens now and whose sale starts in a minute.",
        "Mails stay in-process and are shown at /demo/mail, unless ONSALE_SMTP_HOST is set."})
final class Demo implements Callable<Integer> {

  static final int ADMISSION_RATE_PER_MINUTE = 600;

  @Option(names = "--sale-in", description = "Seconds until the sale starts (default ${DEFAULT-VALUE}).")
  int saleInSeconds = 60;

  @Option(names = "--tickets", description = "Tickets per category (default ${DEFAULT-VALUE}).")
  int ticketsPerCategory = 500;

  @Option(names = "--crowd", paramLabel = "N",
      description = "Send N simulated buyers (the load generator's) into the demo event's queue, so that it fills and moves "
          + "(default ${DEFAULT-VALUE}: none).")
  int crowd = 0;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (crowd < 0 || crowd > DemoCrowd.MAX) {
      throw new ParameterException(spec.commandLine(), "--crowd must be between 0 and " + DemoCrowd.MAX);
    }
    if (saleInSeconds < 0 || ticketsPerCategory < 1) {
      throw new ParameterException(spec.commandLine(), "--sale-in must not be negative and --tickets must be at least 1");
    }
    OnsaleConfig config = OnsaleConfig.fromEnvironment().validate();
    DemoMailbox mailbox = null;
    List<Function<Services, WebModule>> routes = new ArrayList<>();
    DemoSettings settings = DemoSettings.of(config);
    if (!settings.mailServerNamed()) {
      DemoMailbox started = DemoMailbox.start();
      mailbox = started;
      config = config.with(Map.of(DemoSettings.SMTP_HOST, "127.0.0.1", DemoSettings.SMTP_PORT, String.valueOf(started.port())));
      routes.add(started::routes);
    }
    if (crowd > 0 && !settings.joinRateSet()) {
      // The crowd comes from one address (this machine): let it and you join within the same minute.
      config = config.with(Map.of(DemoSettings.JOIN_RATE, String.valueOf(crowd + 60)));
    }
    OnsaleApp app = Foreground.startOrExit(config, routes);
    JsonObject event = createEvent(config);
    String base = "http://localhost:" + config.httpPort();
    System.out.println();
    System.out.println("  Onsale is running with a demo event: " + event.getString("name"));
    System.out.println("  Queue page (buyers):   " + base + "/e/" + event.getString("slug"));
    System.out.println("  Organizer page:        " + base + "/admin");
    System.out.println("  Operations page:       " + base + "/ops");
    System.out.println("  Metrics:               " + base + "/metrics");
    if (mailbox != null) {
      System.out.println("  Mails sent:            " + base + DemoMailbox.PAGE + "  (kept in-process; set ONSALE_SMTP_HOST to send them)");
    } else {
      System.out.println("  Mails go to:           " + config.smtpHost() + ":" + config.smtpPort());
    }
    String provider = settings.paymentProvider();
    System.out.println("  Payments:              " + ("test".equals(provider)
        ? "the test provider: after checkout its own page offers Pay and Decline; no money moves"
        : "the " + provider + " provider (ONSALE_PAYMENT_PROVIDER)"));
    System.out.println("  Organizer token:       " + config.adminToken());
    System.out.println("  Event id:              " + event.getLong("id") + " (sale starts "
        + event.getString("saleStartsAt") + ")");
    if (crowd > 0) {
      System.out.println();
      System.out.println("  " + crowd + " simulated buyers join the queue over the next seconds: open the queue page to");
      System.out.println("  stand behind them and watch your place move, and /ops to watch the queue drain.");
      DemoCrowd.start("http://127.0.0.1:" + config.httpPort(), config.adminToken(), event.getLong("id"), crowd,
          ADMISSION_RATE_PER_MINUTE, System.out);
    }
    System.out.println();
    if (mailbox != null) {
      mailbox.announceTo(System.out, base + DemoMailbox.PAGE);
      DemoMailbox opened = mailbox;
      Runtime.getRuntime().addShutdownHook(new Thread(opened::close, "demo-mail-stop"));
    }
    Foreground.awaitShutdown(app);
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
        .put("admissionRatePerMinute", ADMISSION_RATE_PER_MINUTE)
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
