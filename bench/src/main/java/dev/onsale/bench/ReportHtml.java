package dev.onsale.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders a report as one self-contained HTML page: tables and inline SVG charts, nothing fetched. */
final class ReportHtml {

  private static final String[] COLOURS = {"#2563eb", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#dc2626"};
  private static final int W = 760;
  private static final int H = 260;
  private static final int PAD_L = 60;
  private static final int PAD_B = 30;
  private static final int PAD_T = 14;
  private static final int PAD_R = 14;

  private ReportHtml() {}

  static String render(JsonObject r) {
    StringBuilder h = new StringBuilder(32_000);
    h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Onsale bench report</title><style>")
        .append("body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:820px;color:#111;padding:0 12px}")
        .append("table{border-collapse:collapse;margin:8px 0 18px}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}")
        .append("td:first-child,th:first-child{text-align:left}.ok{color:#15803d}.fail{color:#b91c1c;font-weight:bold}")
        .append("svg{background:#fafafa;border:1px solid #e5e5e5;max-width:100%;height:auto}.legend span{margin-right:14px}")
        .append("code{background:#f3f3f3;padding:1px 4px}</style></head><body>");
    h.append("<h1>Onsale bench report</h1><p>")
        .append(esc(r.getString("mode"))).append(" mode against <code>").append(esc(r.getString("baseUrl")))
        .append("</code>, started ").append(esc(r.getString("startedAt"))).append(", ")
        .append(fmt(r.getDouble("durationSeconds"))).append(" s")
        .append(r.getString("label") == null ? "" : ", label <b>" + esc(r.getString("label")) + "</b>")
        .append(".</p>");

    JsonObject integrity = r.getJsonObject("integrity");
    boolean passed = integrity.getBoolean("passed");
    h.append("<h2>Integrity: <span class=\"").append(passed ? "ok\">passed" : "fail\">FAILED").append("</span></h2><table>");
    for (Object o : integrity.getJsonArray("checks")) {
      JsonObject c = (JsonObject) o;
      h.append("<tr><td class=\"").append(c.getBoolean("passed") ? "ok\">&#10003; " : "fail\">&#10007; ")
          .append(esc(c.getString("name"))).append("</td><td style=\"text-align:left\">")
          .append(esc(c.getString("detail"))).append("</td></tr>");
    }
    h.append("</table>");

    JsonObject buyers = r.getJsonObject("buyers");
    h.append("<h2>Buyers and tickets</h2><table>");
    buyers.forEach(e -> h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(e.getValue()).append("</td></tr>"));
    h.append("<tr><td>tickets reserved</td><td>").append(r.getValue("ticketsReserved")).append("</td></tr>")
        .append("<tr><td>tickets ordered</td><td>").append(r.getValue("ticketsOrdered")).append("</td></tr>")
        .append("<tr><td>first sold-out answer (s)</td><td>").append(orDash(r.getValue("timeToSoldOutSeconds"))).append("</td></tr>")
        .append("<tr><td>last order (s)</td><td>").append(orDash(r.getValue("saleFinishedSeconds"))).append("</td></tr>")
        .append("<tr><td>last ticket sold, order paid (s)</td><td>").append(orDash(r.getValue("lastTicketSoldSeconds")))
        .append(r.getBoolean("soldOutReached", false) ? ", sold out" : "").append("</td></tr>");
    JsonObject orders = r.getJsonObject("orders");
    if (orders != null) {
      orders.getJsonObject("byStatus", new JsonObject()).forEach(e -> h.append("<tr><td>orders ").append(esc(e.getKey()))
          .append(" after the sale</td><td>").append(e.getValue()).append("</td></tr>"));
    }
    JsonObject payments = r.getJsonObject("payments");
    if (payments != null) {
      payments.getJsonObject("plans", new JsonObject()).forEach(e -> h.append("<tr><td>buyers planning: ")
          .append(esc(e.getKey())).append("</td><td>").append(e.getValue()).append("</td></tr>"));
      payments.getJsonObject("results", new JsonObject()).forEach(e -> h.append("<tr><td>pay page answered ")
          .append(esc(e.getKey())).append("</td><td>").append(e.getValue()).append("</td></tr>"));
      payments.getJsonObject("late", new JsonObject()).forEach(e -> h.append("<tr><td>late buyers: ")
          .append(esc(e.getKey())).append("</td><td>").append(e.getValue()).append("</td></tr>"));
    }
    JsonObject pdfs = r.getJsonObject("pdfs");
    if (pdfs != null) {
      h.append("<tr><td>all PDFs ready</td><td>").append(pdfs.getBoolean("allReady") ? "yes" : "no").append(", ")
          .append(fmt(pdfs.getDouble("secondsAfterSale"))).append(" s after the sale</td></tr>");
    }
    h.append("</table>");

    JsonObject latency = r.getJsonObject("latencyMs");
    JsonObject throughput = r.getJsonObject("throughputPerSecond");
    h.append("<h2>Steps</h2><table><tr><th>step</th><th>answers</th><th>per second</th><th>p50 ms</th>")
        .append("<th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th></tr>");
    for (String step : latency.fieldNames()) {
      JsonObject l = latency.getJsonObject(step);
      h.append("<tr><td>").append(esc(step)).append("</td><td>").append(l.getLong("count")).append("</td><td>")
          .append(fmt(throughput.getDouble(step))).append("</td><td>").append(fmt(l.getDouble("p50")))
          .append("</td><td>").append(fmt(l.getDouble("p90"))).append("</td><td>").append(fmt(l.getDouble("p99")))
          .append("</td><td>").append(fmt(l.getDouble("p999"))).append("</td><td>").append(fmt(l.getDouble("max")))
          .append("</td></tr>");
    }
    h.append("</table><p>Per second is counted while the step was active, from its first to its last answer.</p>");

    h.append("<h2>Answers per second</h2>").append(timelineChart(r.getJsonObject("timeline")));
    h.append("<h2>Latency percentiles (log scale)</h2>").append(percentileChart(latency));

    JsonObject errors = r.getJsonObject("errors");
    h.append("<h2>Errors by step and status</h2>");
    if (errors.isEmpty()) {
      h.append("<p class=\"ok\">none</p>");
    } else {
      h.append("<table>");
      errors.forEach(e -> h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(e.getValue()).append("</td></tr>"));
      h.append("</table>");
    }
    h.append("<h2>Settings and event</h2><pre>").append(esc(r.getJsonObject("settings").encodePrettily()))
        .append("\n").append(esc(r.getJsonObject("event").encodePrettily())).append("</pre>");
    h.append("<h2>Organizer stats after the run</h2><pre>").append(esc(r.getJsonObject("stats").encodePrettily())).append("</pre>");
    h.append("</body></html>\n");
    return h.toString();
  }

  /** One line per step: answers in each second of the run. */
  static String timelineChart(JsonObject timeline) {
    List<String> series = new ArrayList<>();
    long max = 1;
    int seconds = 0;
    for (String name : timeline.fieldNames()) {
      JsonArray values = timeline.getJsonArray(name);
      long sum = 0;
      for (int i = 0; i < values.size(); i++) {
        max = Math.max(max, values.getLong(i));
        sum += values.getLong(i);
      }
      seconds = Math.max(seconds, values.size());
      if (sum > 0) {
        series.add(name);
      }
    }
    double yMax = niceCeiling(max);
    int span = Math.max(1, seconds - 1);
    StringBuilder svg = open("answers per second over the run");
    axes(svg, "s", 0, span, yMax, false);
    StringBuilder legend = new StringBuilder("<div class=\"legend\">");
    int colour = 0;
    for (String name : series) {
      JsonArray values = timeline.getJsonArray(name);
      String c = "errors".equals(name) ? "#dc2626" : COLOURS[colour++ % COLOURS.length];
      svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(c).append("\" points=\"");
      for (int i = 0; i < values.size(); i++) {
        svg.append(fmt(x(i, span))).append(',').append(fmt(yLinear(values.getLong(i), yMax))).append(' ');
      }
      svg.append("\"/>");
      legend.append("<span style=\"color:").append(c).append("\">&#9632; ").append(esc(name)).append("</span>");
    }
    return svg.append("</svg>").append(legend).append("</div>").toString();
  }

  /** Grouped bars: p50, p99 and p99.9 per step, on a logarithmic millisecond axis. */
  static String percentileChart(JsonObject latency) {
    List<String> steps = new ArrayList<>(latency.fieldNames());
    String[] keys = {"p50", "p99", "p999"};
    String[] labels = {"p50", "p99", "p99.9"};
    double max = 1;
    for (String step : steps) {
      for (String k : keys) {
        max = Math.max(max, latency.getJsonObject(step).getDouble(k));
      }
    }
    double decades = Math.max(1, Math.ceil(Math.log10(max * 10)));
    double yMax = Math.pow(10, decades - 1);
    StringBuilder svg = open("latency percentiles per step");
    // Log axis from 0.1 ms to yMax.
    for (int d = 0; d <= decades; d++) {
      double v = 0.1 * Math.pow(10, d);
      double y = yLog(v, decades);
      svg.append("<line x1=\"").append(PAD_L).append("\" x2=\"").append(W - PAD_R).append("\" y1=\"").append(fmt(y))
          .append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#e5e5e5\"/><text x=\"").append(PAD_L - 6).append("\" y=\"")
          .append(fmt(y + 4)).append("\" text-anchor=\"end\" font-size=\"11\">").append(fmt(v)).append(" ms</text>");
    }
    int groups = Math.max(1, steps.size());
    double groupWidth = (W - PAD_L - PAD_R) / (double) groups;
    double barWidth = groupWidth / (keys.length + 1);
    for (int g = 0; g < steps.size(); g++) {
      JsonObject l = latency.getJsonObject(steps.get(g));
      for (int k = 0; k < keys.length; k++) {
        double v = Math.max(0.1, l.getDouble(keys[k]));
        double x = PAD_L + g * groupWidth + barWidth * (k + 0.5);
        double y = yLog(v, decades);
        svg.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" width=\"").append(fmt(barWidth - 2))
            .append("\" height=\"").append(fmt(H - PAD_B - y)).append("\" fill=\"").append(COLOURS[k]).append("\"><title>")
            .append(esc(steps.get(g))).append(' ').append(labels[k]).append(": ").append(fmt(l.getDouble(keys[k])))
            .append(" ms</title></rect>");
      }
      svg.append("<text x=\"").append(fmt(PAD_L + g * groupWidth + groupWidth / 2)).append("\" y=\"").append(H - 10)
          .append("\" text-anchor=\"middle\" font-size=\"12\">").append(esc(steps.get(g))).append("</text>");
    }
    svg.append("</svg><div class=\"legend\">");
    for (int k = 0; k < keys.length; k++) {
      svg.append("<span style=\"color:").append(COLOURS[k]).append("\">&#9632; ").append(labels[k]).append("</span>");
    }
    return svg.append("</div>").toString();
  }

  private static StringBuilder open(String title) {
    return new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 ")
        .append(W).append(' ').append(H).append("\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\"><title>").append(esc(title)).append("</title>");
  }

  private static void axes(StringBuilder svg, String unit, int x0, int xMax, double yMax, boolean log) {
    for (int i = 0; i <= 4; i++) {
      double v = yMax * i / 4;
      double y = yLinear(v, yMax);
      svg.append("<line x1=\"").append(PAD_L).append("\" x2=\"").append(W - PAD_R).append("\" y1=\"").append(fmt(y))
          .append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#e5e5e5\"/><text x=\"").append(PAD_L - 6).append("\" y=\"")
          .append(fmt(y + 4)).append("\" text-anchor=\"end\" font-size=\"11\">").append(Math.round(v)).append("</text>");
    }
    int ticks = Math.min(10, Math.max(1, xMax));
    for (int i = 0; i <= ticks; i++) {
      int s = x0 + (int) Math.round((double) xMax * i / ticks);
      svg.append("<text x=\"").append(fmt(x(s, xMax))).append("\" y=\"").append(H - 10)
          .append("\" text-anchor=\"middle\" font-size=\"11\">").append(s).append(' ').append(unit).append("</text>");
    }
  }

  private static double x(double second, int span) {
    return PAD_L + (W - PAD_L - PAD_R) * second / span;
  }

  private static double yLinear(double v, double yMax) {
    return H - PAD_B - (H - PAD_B - PAD_T) * v / yMax;
  }

  private static double yLog(double v, double decades) {
    double position = (Math.log10(v) + 1) / decades;
    return H - PAD_B - (H - PAD_B - PAD_T) * Math.max(0, Math.min(1, position));
  }

  static double niceCeiling(double v) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(1, v))));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String orDash(Object value) {
    return value == null ? "&ndash;" : esc(String.valueOf(value));
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e12 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
