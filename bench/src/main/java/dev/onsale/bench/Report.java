package dev.onsale.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The outcome of a run as JSON (the record) and as a self-contained HTML page with charts. */
public record Report(JsonObject json) {

  static final double[] PERCENTILES = {50, 90, 99, 99.9};

  public boolean integrityPassed() {
    return json.getJsonObject("integrity").getBoolean("passed");
  }

  static Report build(Settings settings, EventInfo event, RunClock clock, double seconds, Progress progress,
      Ledger ledger, Recorder recorder, JsonObject stats, List<IntegrityCheck.Check> checks, JsonObject pdfs) {
    JsonObject json = new JsonObject()
        .put("tool", "onsale-bench")
        .put("label", settings.label())
        .put("mode", settings.mode().name().toLowerCase().replace('_', '-'))
        .put("startedAt", Instant.ofEpochMilli(clock.startEpochMillis()).toString())
        .put("baseUrl", settings.baseUrl())
        .put("settings", settingsJson(settings))
        .put("event", event.toJson())
        .put("durationSeconds", round(seconds))
        .put("buyers", new JsonObject()
            .put("total", !settings.mode().closedLoop() ? settings.buyers() : 0)
            .put("joined", progress.joined.get())
            .put("admitted", progress.admitted.get())
            .put("reserved", progress.reserved.get())
            .put("ordered", progress.ordered.get())
            .put("fetched", progress.fetched.get())
            .put("paid", progress.paid.get())
            .put("unpaid", progress.unpaid.get())
            .put("soldOut", progress.soldOut.get())
            .put("failed", progress.failed.get())
            .put("unfinished", !settings.mode().closedLoop()
                ? settings.buyers() - progress.finished.get() : 0))
        .put("ticketsReserved", progress.ticketsReserved.get())
        .put("ticketsOrdered", ledger.orders.values().stream().mapToLong(o -> o.tickets().size()).sum());
    JsonObject throughput = new JsonObject();
    JsonObject latency = new JsonObject();
    JsonObject curves = new JsonObject();
    for (Step step : Step.values()) {
      Histogram h = recorder.latency(step);
      if (h.getTotalCount() == 0) {
        continue;
      }
      throughput.put(step.key(), round(recorder.ratePerSecond(step)));
      JsonObject l = new JsonObject().put("count", h.getTotalCount()).put("mean", ms(h.getMean()));
      for (double p : PERCENTILES) {
        l.put(percentileKey(p), ms(h.getValueAtPercentile(p)));
      }
      l.put("max", ms(h.getMaxValue()));
      latency.put(step.key(), l);
      curves.put(step.key(), curve(h));
    }
    json.put("throughputPerSecond", throughput)
        .put("latencyMs", latency)
        .put("latencyCurves", curves)
        .put("errors", errorsJson(recorder))
        .put("errorCount", recorder.totalErrors())
        .put("soldOutAnswers", recorder.soldOutAnswers())
        .put("timeToSoldOutSeconds", progress.firstSoldOutMillis.get() < 0 ? null : progress.firstSoldOutMillis.get() / 1000.0)
        .put("saleFinishedSeconds", progress.lastOrderMillis.get() < 0 ? null : progress.lastOrderMillis.get() / 1000.0)
        .put("lastTicketSoldSeconds", progress.lastPaidMillis.get() < 0 ? null : progress.lastPaidMillis.get() / 1000.0)
        .put("soldOutReached", soldOutReached(stats, settings))
        .put("timeToSellOutSeconds", soldOutReached(stats, settings) && progress.lastPaidMillis.get() >= 0
            ? progress.lastPaidMillis.get() / 1000.0 : null)
        .put("orders", ordersJson(ledger))
        .put("payments", paymentsJson(settings, ledger))
        .put("timeline", timeline(recorder))
        .put("pdfs", pdfs)
        .put("stats", stats);
    WaitEstimates.Summary waits = ledger.waitEstimates.summary();
    if (waits.predictions() > 0) {
      json.put("waitEstimate", waits.toJson());
    }
    JsonArray checkArray = new JsonArray();
    checks.forEach(c -> checkArray.add(c.toJson()));
    json.put("integrity", new JsonObject()
        .put("passed", checks.stream().allMatch(IntegrityCheck.Check::passed))
        .put("checks", checkArray));
    return new Report(json);
  }

  /** Every category sold up to a remainder smaller than the largest request (all of a request or none). */
  static boolean soldOutReached(JsonObject stats, Settings settings) {
    JsonArray categories = stats.getJsonArray("categories");
    if (categories == null || categories.isEmpty()) {
      return false;
    }
    long maxRemainder = Math.max(0, settings.quantityMax() - 1);
    for (int i = 0; i < categories.size(); i++) {
      JsonObject c = categories.getJsonObject(i);
      if (c.getLong("capacity", 0L) - c.getLong("sold", 0L) > maxRemainder) {
        return false;
      }
    }
    return true;
  }

  /** Orders placed, and by the status they were read back with after the sale. */
  private static JsonObject ordersJson(Ledger ledger) {
    JsonObject byStatus = new JsonObject();
    new java.util.TreeMap<>(ledger.finals.values().stream().collect(java.util.stream.Collectors.groupingBy(
        Ledger.FinalOrder::status, java.util.stream.Collectors.counting()))).forEach(byStatus::put);
    return new JsonObject().put("placed", ledger.orders.size()).put("readBack", ledger.finals.size()).put("byStatus", byStatus);
  }

  /** What the buyers meant to do about paying, and what the pay page answered them. */
  private static JsonObject paymentsJson(Settings settings, Ledger ledger) {
    JsonObject plans = new JsonObject();
    for (Settings.Pay.Plan plan : Settings.Pay.Plan.values()) {
      plans.put(planKey(plan), ledger.plans.values().stream().filter(p -> p == plan).count());
    }
    JsonObject results = new JsonObject();
    Ledger.counts(ledger.payResults).forEach(results::put);
    JsonObject late = new JsonObject();
    Ledger.counts(ledger.lateResults).forEach(late::put);
    Settings.Pay pay = settings.pay();
    return new JsonObject()
        .put("pay", pay.on()).put("free", pay.free())
        .put("declineShare", pay.declineShare()).put("abandonShare", pay.abandonShare()).put("lateShare", pay.lateShare())
        .put("lateByMillis", pay.lateByMillis())
        .put("paymentSeconds", pay.paymentSeconds()).put("paymentGraceSeconds", pay.graceSeconds())
        .put("ticketsRequestedToPay", ledger.ticketsRequestedToPay.get())
        .put("plans", plans)
        .put("results", results)
        .put("late", late);
  }

  static String planKey(Settings.Pay.Plan plan) {
    return switch (plan) {
      case PAY -> "pay";
      case DECLINE_THEN_PAY -> "declineThenPay";
      case ABANDON -> "abandon";
      case LATE -> "late";
    };
  }

  static String percentileKey(double p) {
    return "p" + (p == Math.floor(p) ? String.valueOf((int) p) : String.valueOf(p).replace(".", ""));
  }

  private static JsonObject errorsJson(Recorder recorder) {
    JsonObject errors = new JsonObject();
    recorder.errors().forEach(errors::put);
    return errors;
  }

  private static JsonObject settingsJson(Settings s) {
    return new JsonObject()
        .put("buyers", s.buyers()).put("tickets", s.tickets()).put("categories", s.categories())
        .put("admissionRatePerMinute", s.ratePerMinute()).put("maxActiveShoppers", s.maxActiveShoppers())
        .put("holdSeconds", s.holdSeconds()).put("quantity", s.quantity()).put("quantityMax", s.quantityMax())
        .put("arrival", s.arrival().name().toLowerCase()).put("rampSeconds", s.rampSeconds())
        .put("thinkMillis", s.thinkMillis()).put("pollMinMillis", s.pollMinMillis()).put("pollMaxMillis", s.pollMaxMillis())
        .put("follow", s.follow().name().toLowerCase())
        .put("connections", s.connections()).put("shopConnections", s.shopConnections()).put("eventLoops", s.eventLoops())
        .put("concurrency", s.concurrency()).put("durationSeconds", s.durationSeconds())
        .put("warmupSeconds", s.warmupSeconds()).put("idempotencyKeys", s.idempotencyKeys()).put("saleDelaySeconds", s.saleDelaySeconds())
        .put("pay", s.pay().on()).put("free", s.pay().free()).put("declineShare", s.pay().declineShare())
        .put("abandonShare", s.pay().abandonShare()).put("lateShare", s.pay().lateShare())
        .put("lateByMillis", s.pay().lateByMillis()).put("paymentSeconds", s.pay().paymentSeconds())
        .put("paymentGraceSeconds", s.pay().graceSeconds());
  }

  private static JsonArray curve(Histogram h) {
    JsonArray points = new JsonArray();
    for (double p : new double[] {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100}) {
      points.add(new JsonArray().add(p).add(ms(h.getValueAtPercentile(p))));
    }
    return points;
  }

  private static JsonObject timeline(Recorder recorder) {
    JsonObject timeline = new JsonObject();
    List<long[]> seconds = recorder.perSecond();
    for (Step step : Step.values()) {
      JsonArray values = new JsonArray();
      seconds.forEach(row -> values.add(row[step.ordinal()]));
      timeline.put(step.key(), values);
    }
    JsonArray errors = new JsonArray();
    seconds.forEach(row -> errors.add(row[Step.values().length]));
    return timeline.put("errors", errors);
  }

  private static double ms(double micros) {
    return round(micros / 1000.0);
  }

  static double round(double value) {
    return Math.round(value * 100.0) / 100.0;
  }

  /** Writes {@code <out>.json} and {@code <out>.html}; answers the two paths. */
  public List<Path> write(Path out) throws IOException {
    Path base = out.toAbsolutePath();
    if (base.getParent() != null) {
      Files.createDirectories(base.getParent());
    }
    Path jsonFile = base.resolveSibling(base.getFileName() + ".json");
    Path htmlFile = base.resolveSibling(base.getFileName() + ".html");
    Files.writeString(jsonFile, json.encodePrettily(), StandardCharsets.UTF_8);
    Files.writeString(htmlFile, ReportHtml.render(json), StandardCharsets.UTF_8);
    return List.of(jsonFile, htmlFile);
  }

  /** The summary printed at the end of a run. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "%nOnsale bench, %s mode, %.1f s%n", json.getString("mode"), json.getDouble("durationSeconds")));
    JsonObject b = json.getJsonObject("buyers");
    if ("order-only".equals(json.getString("mode"))) {
      s.append(String.format(Locale.ROOT, "reservations %d, tickets %d, orders %d (paid at once %d)%n", b.getLong("reserved"),
          json.getLong("ticketsReserved"), b.getLong("ordered"), b.getLong("paid", 0L)));
    } else if (!"reserve-only".equals(json.getString("mode"))) {
      s.append(String.format(Locale.ROOT, "buyers %d: joined %d, admitted %d, reserved %d, ordered %d, paid %d, unpaid %d, sold out %d, failed %d, unfinished %d%n",
          b.getLong("total"), b.getLong("joined"), b.getLong("admitted"), b.getLong("reserved"), b.getLong("ordered"),
          b.getLong("paid", 0L), b.getLong("unpaid", 0L), b.getLong("soldOut"), b.getLong("failed"), b.getLong("unfinished")));
    } else {
      s.append(String.format(Locale.ROOT, "reservations %d, tickets %d%n", b.getLong("reserved"), json.getLong("ticketsReserved")));
    }
    s.append(String.format(Locale.ROOT, "%-12s %10s %10s %10s %10s %10s %10s%n", "step", "count", "per s", "p50 ms", "p99 ms", "p99.9 ms", "max ms"));
    JsonObject latency = json.getJsonObject("latencyMs");
    JsonObject throughput = json.getJsonObject("throughputPerSecond");
    for (Step step : Step.values()) {
      JsonObject l = latency.getJsonObject(step.key());
      if (l == null) {
        continue;
      }
      s.append(String.format(Locale.ROOT, "%-12s %10d %10.1f %10.2f %10.2f %10.2f %10.2f%n", step.label(), l.getLong("count"),
          throughput.getDouble(step.key()), l.getDouble("p50"), l.getDouble("p99"), l.getDouble("p999"), l.getDouble("max")));
    }
    JsonObject errors = json.getJsonObject("errors");
    s.append("errors: ").append(errors.isEmpty() ? "none" : errors.encode()).append('\n');
    if (json.getValue("timeToSoldOutSeconds") != null) {
      s.append("first sold-out answer after ").append(json.getValue("timeToSoldOutSeconds")).append(" s\n");
    }
    if (json.getValue("saleFinishedSeconds") != null) {
      s.append("last order after ").append(json.getValue("saleFinishedSeconds")).append(" s\n");
    }
    JsonObject orders = json.getJsonObject("orders");
    if (orders != null && orders.getLong("placed", 0L) > 0) {
      s.append("orders ").append(orders.getLong("placed")).append(" placed, read back after the sale by status: ")
          .append(orders.getJsonObject("byStatus").encode()).append('\n');
    }
    JsonObject payments = json.getJsonObject("payments");
    if (payments != null && !payments.getJsonObject("results").isEmpty()) {
      s.append("payments: plans ").append(payments.getJsonObject("plans").encode())
          .append(", pay page results ").append(payments.getJsonObject("results").encode());
      if (!payments.getJsonObject("late").isEmpty()) {
        s.append(", late buyers ").append(payments.getJsonObject("late").encode());
      }
      s.append('\n');
    }
    if (json.getValue("lastTicketSoldSeconds") != null) {
      s.append("last ticket sold (order paid) after ").append(json.getValue("lastTicketSoldSeconds")).append(" s; ")
          .append(json.getBoolean("soldOutReached", false) ? "sold out" : "NOT sold out").append('\n');
    }
    JsonObject waits = json.getJsonObject("waitEstimate");
    if (waits != null) {
      s.append(String.format(Locale.ROOT, "wait shown vs wait that came (waits of %.0f s or more): |error| median %s, p90 %s over %d of %d"
              + " predictions; each buyer's first in the sale: median %s, p90 %s over %d%n",
          waits.getDouble("minActualSeconds"), percent(waits.getDouble("medianRelativeError")),
          percent(waits.getDouble("p90RelativeError")), waits.getInteger("counted"), waits.getInteger("predictions"),
          percent(waits.getDouble("firstInSaleMedianRelativeError")), percent(waits.getDouble("firstInSaleP90RelativeError")),
          waits.getInteger("firstInSaleCounted")));
    }
    JsonObject pdfs = json.getJsonObject("pdfs");
    if (pdfs != null) {
      s.append("PDFs: ").append(pdfs.getBoolean("allReady") ? "all ready" : "NOT all ready")
          .append(" ").append(pdfs.getDouble("secondsAfterSale")).append(" s after the sale\n");
    }
    JsonObject integrity = json.getJsonObject("integrity");
    JsonObject crowd = json.getJsonObject("crowd");
    if (crowd != null) {
      s.append("crowd window: ").append(crowd.encode()).append('\n');
    }
    s.append("integrity: ").append(integrity.getBoolean("passed") ? "PASSED" : "FAILED").append('\n');
    integrity.getJsonArray("checks").forEach(o -> {
      JsonObject c = (JsonObject) o;
      s.append(c.getBoolean("passed") ? "  ok   " : "  FAIL ").append(c.getString("name")).append(": ").append(c.getString("detail")).append('\n');
    });
    return s.toString();
  }

  private static String percent(Double ratio) {
    return ratio == null ? "-" : String.format(Locale.ROOT, "%.1f %%", ratio * 100);
  }
}
