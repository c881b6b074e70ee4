package dev.onsale.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load generator's command line. Many buyers from one JVM: every buyer is a small state
 * machine on a Vert.x event loop, so 20,000 concurrent buyers cost no threads.
 */
@Command(
    name = "onsale-bench",
    mixinStandardHelpOptions = true,
    version = "onsale-bench 0.1.0",
    sortOptions = false,
    usageHelpWidth = 110,
    description = {
        "Drives simulated buyers through a running Onsale: join the queue, follow the status until",
        "admitted, reserve, order, pay (the test provider's page: some decline, abandon or pay late),",
        "fetch the order; then checks that every ticket was sold once, to a paid order.",
        "Writes <out>.json and <out>.html. Exit code 0 when the integrity check passes, 2 when not.",
        "",
        "  full sale:    onsale-bench --buyers 20000 --tickets 5000 --rate 600000 --max-active 5000",
        "  reserve-only: onsale-bench --mode reserve-only --tickets 300000 --duration 60 --concurrency 64",
        "  order-only:   onsale-bench --mode order-only --tickets 300000 --duration 30 --concurrency 64",
        ""})
public final class Bench implements Callable<Integer> {

  @Option(names = "--base-url", description = "Onsale's address (default ${DEFAULT-VALUE}).")
  String baseUrl = "http://127.0.0.1:8080";

  @Option(names = "--admin-token", description = "Organizer token (default: $ONSALE_ADMIN_TOKEN or the development token).")
  String adminToken = System.getenv().getOrDefault("ONSALE_ADMIN_TOKEN", "dev-admin-token");

  @Option(names = "--event-id", description = "Use this existing event instead of creating one.")
  Long eventId;

  @Option(names = "--mode", description = "full (the buyer's whole path), reserve-only (hammer the reservation endpoint, "
      + "waiting room off), order-only (the same, each hold ordered at once: the order endpoint, its orders pending "
      + "unless --free; nobody pays), join-only (buyers join the queue and stay there: fills a queue, e.g. with --sale-delay) or crowd (buyers join "
      + "before the sale starts (--sale-delay), wait as the queue page does and stop once admitted; measures the origin's "
      + "requests and CPU over --duration seconds, --warmup seconds after the sale started: see --origin-url). "
      + "Default ${DEFAULT-VALUE}.")
  String mode = "full";

  @Option(names = "--origin-url", description = "Crowd mode: the Onsale instance's own address behind --base-url (e.g. nginx in "
      + "front of it), whose /metrics count the requests that reached it (default: none).")
  String originUrl;

  @Option(names = "--origin-pid", description = "Crowd mode: the Onsale instance's process id on this machine, for its CPU time (default: none).")
  Long originPid;

  @Option(names = "--buyers", description = "Simulated buyers (full mode; default ${DEFAULT-VALUE}).")
  int buyers = 1000;

  @Option(names = "--tickets", description = "Tickets of the created event, split over the categories (default ${DEFAULT-VALUE}).")
  int tickets = 500;

  @Option(names = "--categories", description = "Ticket categories of the created event (default ${DEFAULT-VALUE}).")
  int categories = 2;

  @Option(names = "--rate", description = "Admission rate per minute of the created event (default ${DEFAULT-VALUE}).")
  int ratePerMinute = 60_000;

  @Option(names = "--max-active", description = "Max active shoppers of the created event (default ${DEFAULT-VALUE}).")
  int maxActiveShoppers = 2_000;

  @Option(names = "--hold-seconds", description = "Hold time of the created event (default ${DEFAULT-VALUE}).")
  int holdSeconds = 600;

  @Option(names = "--max-per-order", description = "Max tickets per order of the created event (default ${DEFAULT-VALUE}).")
  int maxTicketsPerOrder = 6;

  @Option(names = "--quantity", description = "Tickets each buyer asks for (default ${DEFAULT-VALUE}).")
  int quantity = 1;

  @Option(names = "--quantity-max", description = "When above --quantity, each buyer asks for a random number in [quantity, quantity-max].")
  int quantityMax = 0;

  @Option(names = "--waiting-room", description = "on or off for the created event (full mode; default ${DEFAULT-VALUE}).")
  String waitingRoom = "on";

  @Option(names = "--sale-delay", description = "Seconds between the queue opening and the sale start (default ${DEFAULT-VALUE}).")
  int saleDelaySeconds = 0;

  @Option(names = "--arrival", description = "all (every buyer at once) or ramp (spread over --ramp-seconds). Default ${DEFAULT-VALUE}.")
  String arrival = "all";

  @Option(names = "--ramp-seconds", description = "Length of the arrival ramp (default ${DEFAULT-VALUE}).")
  int rampSeconds = 10;

  @Option(names = "--think-ms", description = "Up to this many random milliseconds of thinking before reserving, ordering and fetching (default ${DEFAULT-VALUE}).")
  int thinkMillis = 0;

  @Option(names = "--poll-min-ms", description = "First wait between status polls (default ${DEFAULT-VALUE}).")
  int pollMinMillis = 250;

  @Option(names = "--poll-max-ms", description = "Longest wait between status polls; the wait grows 1.5x per poll (default ${DEFAULT-VALUE}).")
  int pollMaxMillis = 3_000;

  @Option(names = "--follow", description = "How waiting buyers follow the queue: page (the public state, as the queue page does) or status (their own status on every poll). Default ${DEFAULT-VALUE}.")
  String follow = "page";

  @Option(names = "--connections", description = "HTTP connections per event loop (default ${DEFAULT-VALUE}).")
  int connections = 128;

  @Option(names = "--shop-connections", description = "Most HTTP connections per event loop for the shop (reserve, order, pay, fetch), apart from the queue's, opened as buyers need them: "
      + "by default enough for every buyer in the shop or paying at once, as each browser has its own, so that no buyer waits on the client behind another's request and the server's own queueing decides; "
      + "a smaller number lines the shop's requests up in the bench; 0 sends them through the queue's connections (default ${DEFAULT-VALUE}).")
  int shopConnections = 10_000;

  @Option(names = "--event-loops", description = "Event loops (driver verticles) generating load (default ${DEFAULT-VALUE}).")
  int eventLoops = 1;

  @Option(names = "--timeout", description = "Give up on buyers still going after this many seconds (full mode; default ${DEFAULT-VALUE}).")
  int timeoutSeconds = 300;

  @Option(names = "--duration", description = "Recorded length of a reserve-only or order-only run in seconds, after its --warmup (default ${DEFAULT-VALUE}).")
  int durationSeconds = 60;

  @Option(names = "--concurrency", description = "Requests in flight in reserve-only and order-only mode, joins in flight in join-only and crowd mode (default ${DEFAULT-VALUE}).")
  int concurrency = 64;

  @Option(names = "--warmup", description = "Seconds of unrecorded load before a reserve-only or order-only run's --duration (default ${DEFAULT-VALUE}).")
  int warmupSeconds = 5;

  @Option(names = "--request-timeout-ms", description = "Per-request timeout (default ${DEFAULT-VALUE}).")
  int requestTimeoutMillis = 30_000;

  @Option(names = "--fetch", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Fetch each order after placing it (default on; --no-fetch to skip).")
  boolean fetchOrders = true;

  @Option(names = "--await-pdfs", description = "After the sale, wait up to this many seconds for every ticket's PDF link (default ${DEFAULT-VALUE}: do not wait).")
  int awaitPdfsSeconds = 0;

  @Option(names = "--max-retries", description = "Retries of a step answered 429/503 or failed in transport (default ${DEFAULT-VALUE}).")
  int maxRetries = 20;

  @Option(names = "--idempotency-keys", description = "auto, on or off: send an Idempotency-Key with each reservation and order "
      + "(auto: on in the full mode, as a careful page does; off in reserve-only, to measure the claim path itself).")
  String idempotencyKeys = "auto";

  @Option(names = "--server-invariants", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also run the server's own invariant checks (GET /api/v1/admin/invariants, whole database, up to a minute) "
      + "after a full-mode run (default on; never in reserve-only mode, whose many holds make them slow).")
  boolean serverInvariants = true;

  @Option(names = "--pay", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Pay every order that asks for a payment, through the test provider's page (default on; "
      + "--no-pay leaves every pending order unpaid). Orders of a free event (--free) need none.")
  boolean pay = true;

  @Option(names = "--free", description = "Create the event with free tickets (priceCents 0): orders are paid when placed.")
  boolean free;

  @Option(names = "--decline-share", description = "Share of paying buyers who decline once, then pay a new attempt (default ${DEFAULT-VALUE}).")
  double declineShare = 0;

  @Option(names = "--abandon-share", description = "Share of paying buyers who open the pay page and never pay (default ${DEFAULT-VALUE}).")
  double abandonShare = 0;

  @Option(names = "--late-share", description = "Share of paying buyers who open the pay page, wait past payment.expiresAt, "
      + "then press Pay (default ${DEFAULT-VALUE}).")
  double lateShare = 0;

  @Option(names = "--late-by-ms", description = "How long after payment.expiresAt a late buyer presses Pay: a moment into "
      + "the grace (default ${DEFAULT-VALUE}).")
  int lateByMillis = 2_000;

  @Option(names = "--payment-seconds", description = "Payment window of the created event, 30..86400 (default ${DEFAULT-VALUE}).")
  int paymentSeconds = 60;

  @Option(names = "--payment-grace-seconds", description = "Grace after the payment window of the created event, 0..3600 "
      + "(default ${DEFAULT-VALUE}).")
  int paymentGraceSeconds = 10;

  @Option(names = "--out", description = "Report path without extension: writes <out>.json and <out>.html (default ${DEFAULT-VALUE}).")
  Path out = Path.of("bench-report");

  @Option(names = "--label", description = "A name for this run, shown in the report.")
  String label;

  @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
  boolean quiet;

  public static void main(String[] args) {
    // Our own quiet logging set-up, whatever else on the class path brings a logback.xml.
    System.setProperty("logback.configurationFile", "onsale-bench-logback.xml");
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Report report;
    try {
      report = run(System.err);
    } catch (IllegalStateException e) {
      System.err.println("onsale-bench: " + e.getMessage());
      return 1;
    }
    List<Path> files = report.write(out);
    System.out.print(report.summary());
    System.out.println("report: " + files.get(0) + " and " + files.get(1));
    return report.integrityPassed() ? 0 : 2;
  }

  /** Runs the benchmark as configured, blocking the calling thread; used by the tests too. */
  public Report run(PrintStream console) {
    return new LoadRun(settings(), console).execute();
  }

  /** Parses a command line into a ready-to-run bench (for tests and scripts). */
  public static Bench parse(String... args) {
    Bench bench = new Bench();
    new CommandLine(bench).parseArgs(args);
    return bench;
  }

  Settings settings() {
    Settings.Mode m = switch (mode.toLowerCase().replace('_', '-')) {
      case "full" -> Settings.Mode.FULL;
      case "reserve-only", "reserve" -> Settings.Mode.RESERVE_ONLY;
      case "order-only", "order" -> Settings.Mode.ORDER_ONLY;
      case "join-only", "join" -> Settings.Mode.JOIN_ONLY;
      case "crowd" -> Settings.Mode.CROWD;
      default -> throw new CommandLine.ParameterException(new CommandLine(this),
          "--mode must be full, reserve-only, order-only, join-only or crowd");
    };
    Settings.Follow f = switch (follow.toLowerCase()) {
      case "page" -> Settings.Follow.PAGE;
      case "status" -> Settings.Follow.STATUS;
      default -> throw new CommandLine.ParameterException(new CommandLine(this), "--follow must be page or status");
    };
    Settings.Arrival a = switch (arrival.toLowerCase()) {
      case "all" -> Settings.Arrival.ALL;
      case "ramp" -> Settings.Arrival.RAMP;
      default -> throw new CommandLine.ParameterException(new CommandLine(this), "--arrival must be all or ramp");
    };
    if (declineShare < 0 || abandonShare < 0 || lateShare < 0 || declineShare + abandonShare + lateShare > 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--decline-share, --abandon-share and --late-share must be in [0, 1] and add up to at most 1");
    }
    if (buyers < 0 || tickets < 1 || categories < 1 || quantity < 1 || connections < 1 || shopConnections < 0 || concurrency < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this), "counts must be positive");
    }
    return new Settings(baseUrl, adminToken, eventId, m, buyers, tickets, categories, ratePerMinute,
        maxActiveShoppers, holdSeconds, maxTicketsPerOrder, quantity, Math.max(quantity, quantityMax),
        !"off".equalsIgnoreCase(waitingRoom), saleDelaySeconds, a, rampSeconds, thinkMillis, pollMinMillis,
        Math.max(pollMinMillis, pollMaxMillis), f, connections, shopConnections, eventLoops, timeoutSeconds, durationSeconds, concurrency,
        warmupSeconds, requestTimeoutMillis, fetchOrders, awaitPdfsSeconds, maxRetries,
        "auto".equalsIgnoreCase(idempotencyKeys) ? m == Settings.Mode.FULL : "on".equalsIgnoreCase(idempotencyKeys),
        serverInvariants && m == Settings.Mode.FULL, out, quiet, label,
        new Settings.Pay(pay, free, declineShare, abandonShare, lateShare, Math.max(0, lateByMillis), paymentSeconds,
            paymentGraceSeconds),
        new Settings.Origin(originUrl, originPid));
  }
}
