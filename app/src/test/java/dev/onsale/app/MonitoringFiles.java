package dev.onsale.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** The PromQL queries in docker/ (alert rules and Grafana dashboard) and the metric names they use. */
public final class MonitoringFiles {

  /** Metric names are the identifiers with one of the prefixes Onsale's /metrics uses. */
  private static final Pattern METRIC = Pattern.compile("\\b((?:onsale|vertx|jvm|process|system)_[a-zA-Z0-9_]+)");

  private MonitoringFiles() {}

  public static Path dockerFolder() {
    return Path.of("..", "docker").toAbsolutePath().normalize();
  }

  /** Every query: each alert rule's expr and each dashboard panel target's expr. */
  public static List<String> queries() throws IOException {
    List<String> queries = new ArrayList<>();
    Map<String, Object> rules = cast(new Yaml(new LoaderOptions()).load(
        Files.readString(dockerFolder().resolve("prometheus/alerts.yml"))));
    for (Map<String, Object> group : MonitoringFiles.<List<Map<String, Object>>>cast(rules.get("groups"))) {
      for (Map<String, Object> rule : MonitoringFiles.<List<Map<String, Object>>>cast(group.get("rules"))) {
        queries.add(rule.get("expr").toString());
      }
    }
    queries.addAll(dashboardQueries(new JsonObject(Files.readString(dockerFolder().resolve("grafana/dashboards/onsale.json")))));
    return queries;
  }

  public static List<String> dashboardQueries(JsonObject dashboard) {
    List<String> queries = new ArrayList<>();
    for (Object panel : dashboard.getJsonArray("panels")) {
      JsonArray targets = ((JsonObject) panel).getJsonArray("targets");
      if (targets != null) {
        targets.forEach(target -> queries.add(((JsonObject) target).getString("expr")));
      }
    }
    return queries;
  }

  public static Set<String> metricNames() throws IOException {
    Set<String> names = new TreeSet<>();
    for (String query : queries()) {
      Matcher matcher = METRIC.matcher(query);
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  static <T> T cast(Object value) {
    return (T) value;
  }
}
