package dev.onsale.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine runs on our machines, so every file under docker/ is checked here without one:
 * it parses, names pinned images, and nginx accepts its configuration. (That the Prometheus rules
 * and the Grafana dashboard only use metrics Onsale exports is checked against a running
 * instance in the app module's MonitoringConfigTest.)
 */
@DisplayName("The docker/ folder")
class DockerFilesTest {

  static final Path DOCKER = Path.of("..", "docker").toAbsolutePath().normalize();
  /** A pinned tag: a version number, never latest or a bare major. */
  static final Pattern PINNED = Pattern.compile("^[a-z0-9./-]+:v?\\d+\\.\\d+(\\.\\d+)?[-_.a-z0-9]*$");
  /** Images we build ourselves (the compose file builds onsale:dev from docker/Dockerfile). */
  static final Set<String> OWN_IMAGES = Set.of("onsale:dev");

  @Test
  @DisplayName("compose.yml parses and has every service the stack needs, each from a pinned image")
  void composeFile() throws IOException {
    Map<String, Object> compose = yaml(DOCKER.resolve("compose.yml"));
    Map<String, Map<String, Object>> services = cast(compose.get("services"));
    assertThat(services).containsKeys("postgres", "redis", "migrate", "web1", "web2", "worker-tickets", "worker-mail",
        "worker-webhooks", "worker-background", "nginx", "prometheus", "grafana", "mailpit");
    services.forEach((name, service) -> {
      String image = (String) service.get("image");
      assertThat(image).as("service %s names its image", name).isNotNull();
      if (!OWN_IMAGES.contains(image)) {
        assertThat(image).as("service %s uses a pinned tag", name).matches(PINNED);
      } else {
        Map<String, Object> build = cast(service.get("build"));
        assertThat(build).as("%s is built from the Dockerfile", name).containsEntry("dockerfile", "docker/Dockerfile");
      }
    });
    assertThat(env(services.get("web1"))).containsEntry("ONSALE_ROLES", "web,ops");
    assertThat(env(services.get("web2"))).containsEntry("ONSALE_ROLES", "web,ops");
    assertThat(env(services.get("worker-mail"))).containsEntry("ONSALE_ROLES", "workers:mail");
    assertThat(env(services.get("worker-tickets"))).containsEntry("ONSALE_SMTP_HOST", "mailpit");
    assertThat((List<?>) services.get("web1").get("command")).first().isEqualTo("demo");
    // Files the services mount exist.
    for (Map<String, Object> service : services.values()) {
      for (Object volume : (List<?>) service.getOrDefault("volumes", List.of())) {
        String source = volume.toString().split(":")[0];
        if (source.startsWith("./")) {
          assertThat(DOCKER.resolve(source)).as("mounted %s", source).exists();
        }
      }
    }
  }

  @Test
  @DisplayName("the Dockerfile builds with Maven, runs on a Temurin 17 JRE as a non-root user, with a health check")
  void dockerfile() throws IOException {
    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
    List<String> from = dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
    assertThat(from).hasSize(2);
    assertThat(from.get(0)).startsWith("FROM maven:3.9").contains("eclipse-temurin-17").endsWith(" AS build");
    assertThat(from.get(1)).startsWith("FROM eclipse-temurin:17.").contains("-jre-");
    from.forEach(line -> assertThat(line.split("\\s+")[1]).matches(PINNED));
    assertThat(dockerfile).contains("USER 10001:10001").contains("HEALTHCHECK").contains("/health/ready")
        .contains("mvn -B -q -pl app -am package");
    assertThat(Path.of("..", ".dockerignore")).exists();
  }

  @Test
  @DisplayName("nginx -t accepts the nginx configuration (upstreams pointed at 127.0.0.1)")
  void nginxAcceptsTheConfiguration(@TempDir Path temp) throws Exception {
    Path nginx = Stream.of("/usr/sbin/nginx", "/usr/bin/nginx").map(Path::of).filter(Files::isExecutable).findFirst()
        .orElse(null);
    assumeTrue(nginx != null, "nginx is not installed: run scripts/ensure-test-tools.sh as root");
    String config = Files.readString(DOCKER.resolve("nginx/nginx.conf"))
        .replace("/var/cache/nginx/onsale", temp.resolve("cache").toString());
    Files.writeString(temp.resolve("nginx.conf"), config);
    String upstreams = Files.readString(DOCKER.resolve("nginx/onsale-upstreams.conf"))
        .replaceAll("web\\d:8080", "127.0.0.1:8080");
    Files.writeString(temp.resolve("onsale-upstreams.conf"), upstreams);
    Path mimeTypes = Path.of("/etc/nginx/mime.types");
    if (Files.exists(mimeTypes)) {
      Files.copy(mimeTypes, temp.resolve("mime.types"));
    } else {
      Files.writeString(temp.resolve("mime.types"), "types { text/html html; }\n");
    }
    Process process = new ProcessBuilder(nginx.toString(), "-t", "-p", temp.toString(), "-c",
        temp.resolve("nginx.conf").toString())
        .redirectErrorStream(true)
        .start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("syntax is ok").contains("test is successful");
    assertThat(config).contains("limit_req zone=onsale_join").contains("proxy_read_timeout 1h")
        .contains("proxy_buffering off").contains("proxy_cache onsale_static").contains("unavailable.html");
    assertThat(DOCKER.resolve("nginx/html/unavailable.html")).exists();
  }

  @Test
  @DisplayName("Prometheus config and alert rules parse, and alert on queue length and error rate")
  void prometheusFiles() throws IOException {
    Map<String, Object> prometheus = yaml(DOCKER.resolve("prometheus/prometheus.yml"));
    List<String> ruleFiles = cast(prometheus.get("rule_files"));
    assertThat(ruleFiles).containsExactly("/etc/prometheus/alerts.yml");
    Map<String, Map<String, Object>> services = cast(yaml(DOCKER.resolve("compose.yml")).get("services"));
    String scrape = prometheus.get("scrape_configs").toString();
    services.keySet().stream().filter(name -> name.startsWith("web") || name.startsWith("worker-"))
        .forEach(name -> assertThat(scrape).as("Prometheus scrapes %s", name).contains(name));
    Map<String, Object> rules = yaml(DOCKER.resolve("prometheus/alerts.yml"));
    List<String> alerts = new ArrayList<>();
    for (Map<String, Object> group : DockerFilesTest.<List<Map<String, Object>>>cast(rules.get("groups"))) {
      for (Map<String, Object> rule : DockerFilesTest.<List<Map<String, Object>>>cast(group.get("rules"))) {
        assertThat(rule).containsKeys("alert", "expr", "labels", "annotations");
        alerts.add((String) rule.get("alert"));
      }
    }
    assertThat(alerts).contains("OnsaleJobQueueBacklog", "OnsaleHighErrorRate", "OnsaleInstanceDown");
  }

  @Test
  @DisplayName("the Grafana dashboard is valid JSON, provisioned, with a query in every panel")
  void grafanaDashboard() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(DOCKER.resolve("grafana/dashboards/onsale.json")));
    assertThat(dashboard.getString("uid")).isEqualTo("onsale-overview");
    List<String> queries = new ArrayList<>();
    for (Object panel : dashboard.getJsonArray("panels")) {
      JsonObject p = (JsonObject) panel;
      if (!"row".equals(p.getString("type"))) {
        assertThat(p.getJsonArray("targets")).as("panel %s has a query", p.getString("title")).isNotEmpty();
        p.getJsonArray("targets").forEach(t -> queries.add(((JsonObject) t).getString("expr")));
      }
    }
    assertThat(queries).hasSizeGreaterThan(15).allMatch(q -> q != null && !q.isBlank());
    yaml(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml"));
    Map<String, Object> provider = yaml(DOCKER.resolve("grafana/provisioning/dashboards/onsale.yml"));
    assertThat(provider.toString()).contains("/var/lib/grafana/dashboards");
  }

  @Test
  @DisplayName("the Kubernetes manifests parse: web Deployment, Service and HPA, one worker Deployment per queue, probes on each")
  void kubernetesManifests() throws IOException {
    List<Map<String, Object>> documents = new ArrayList<>();
    try (Stream<Path> files = Files.list(DOCKER.resolve("k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml") && !f.endsWith("kustomization.yaml")).sorted().toList()) {
        for (Object doc : new Yaml(new LoaderOptions()).loadAll(Files.readString(file))) {
          if (doc != null) {
            documents.add(cast(doc));
          }
        }
      }
    }
    List<String> kinds = documents.stream().map(d -> d.get("kind") + "/" + name(d)).toList();
    assertThat(kinds).contains("Deployment/onsale-web", "Service/onsale-web", "HorizontalPodAutoscaler/onsale-web",
        "ConfigMap/onsale-config", "Secret/onsale-secrets", "Job/onsale-migrate",
        "Deployment/onsale-worker-tickets", "Deployment/onsale-worker-mail", "Deployment/onsale-worker-webhooks",
        "Deployment/onsale-worker-background");
    Map<String, Object> kustomization = yaml(DOCKER.resolve("k8s/kustomization.yaml"));
    List<String> resources = cast(kustomization.get("resources"));
    resources.forEach(resource -> assertThat(DOCKER.resolve("k8s").resolve(resource)).exists());
    for (Map<String, Object> doc : documents) {
      assertThat(doc).containsKeys("apiVersion", "kind", "metadata");
      if ("Deployment".equals(doc.get("kind"))) {
        Map<String, Object> container = DockerFilesTest.<List<Map<String, Object>>>cast(
            DockerFilesTest.<Map<String, Object>>cast(DockerFilesTest.<Map<String, Object>>cast(
                DockerFilesTest.<Map<String, Object>>cast(doc.get("spec")).get("template")).get("spec")).get("containers")).get(0);
        assertThat(container).as(name(doc)).containsKeys("readinessProbe", "livenessProbe");
        assertThat(container.toString()).contains("/health/ready").contains("/health/live");
        assertThat((String) container.get("image")).matches(PINNED);
      }
    }
  }

  static Map<String, Object> yaml(Path file) throws IOException {
    Object parsed = new Yaml(new LoaderOptions()).load(Files.readString(file));
    assertThat(parsed).as(file + " parses as a YAML mapping").isInstanceOf(Map.class);
    return cast(parsed);
  }

  private static Map<String, Object> env(Map<String, Object> service) {
    return cast(service.get("environment"));
  }

  private static String name(Map<String, Object> doc) {
    return (String) DockerFilesTest.<Map<String, Object>>cast(doc.get("metadata")).get("name");
  }

  @SuppressWarnings("unchecked")
  static <T> T cast(Object value) {
    return (T) value;
  }
}
