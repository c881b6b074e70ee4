package dev.onsale.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Roles;
import dev.onsale.common.Services;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestServices;
import dev.onsale.ops.Ops;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

@DisplayName("The OpenAPI document")
class ApiDocumentTest {

  private static final Set<String> VERBS = Set.of("get", "post", "put", "patch", "delete");

  @Test
  @DisplayName("documents exactly the API routes an instance with every role serves")
  void matchesTheRoutes() throws Exception {
    Set<String> documented = documentedOperations();
    Set<String> served = servedOperations();
    Set<String> servedApi = new TreeSet<>(served);
    servedApi.removeIf(operation -> !isApi(operation.substring(operation.indexOf(' ') + 1)));
    assertThat(servedApi).as("served but not documented").isSubsetOf(documented);
    // The document may name a page the API links to (payment.url's /pay/{paymentId}), never one that is not served.
    assertThat(documented).as("documented but not served").isSubsetOf(served);
  }

  @Test
  @DisplayName("resolves every reference, and promises each operation the refusals the server gives every such operation")
  @SuppressWarnings("unchecked")
  void promisesTheCommonRefusals() throws Exception {
    Map<String, Object> document = document();
    List<String> broken = new ArrayList<>();
    references(document, document, "", broken);
    assertThat(broken).as("references that lead nowhere").isEmpty();
    List<String> missing = new ArrayList<>();
    ((Map<String, Object>) document.get("paths")).forEach((path, item) -> ((Map<String, Object>) item).forEach((verb, value) -> {
      if (!VERBS.contains(verb)) {
        return;
      }
      Map<String, Object> operation = (Map<String, Object>) value;
      Map<String, Object> responses = (Map<String, Object>) operation.get("responses");
      String name = verb.toUpperCase() + " " + path;
      Set<String> expected = new TreeSet<>();
      if (String.valueOf(operation.get("security")).contains("organizer")) {
        expected.add("401");
      }
      if (path.contains("{")) {
        expected.add("404");
      }
      if (verb.equals("post") || verb.equals("patch")) {
        // Every body is read before the operation: too large, or not JSON, whatever the operation.
        expected.addAll(List.of("400", "413"));
        if (!path.endsWith("/webhook")) {
          expected.add("415");
        }
      }
      if (path.startsWith("/api/")) {
        // Every operation of the API reads PostgreSQL or Redis: overloaded or cut off is a 503.
        expected.add("503");
      }
      expected.removeAll(responses.keySet());
      if (!expected.isEmpty()) {
        missing.add(name + " lacks " + expected);
      }
      responses.forEach((status, response) -> {
        Map<String, Object> resolved = (Map<String, Object>) resolve(document, response);
        if (status.startsWith("4") || status.startsWith("5")) {
          Object schema = ((Map<String, Object>) ((Map<String, Object>) resolved.getOrDefault("content", Map.of()))
              .getOrDefault("application/json", Map.of())).get("schema");
          // The error schema itself, or a schema built on it (sold_out's, the readiness check's).
          String error = "#/components/schemas/Error";
          if (!String.valueOf(schema).contains(error) && !String.valueOf(resolve(document, schema)).contains(error)) {
            missing.add(name + " answers " + status + " without the shared error schema");
          }
        }
        if (status.equals("503") || status.equals("429")) {
          Object headers = resolved.get("headers");
          if (headers == null || !((Map<String, Object>) headers).containsKey("Retry-After")) {
            missing.add(name + " answers " + status + " without Retry-After");
          }
        }
      });
    }));
    assertThat(missing).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private static void references(Map<String, Object> document, Object node, String where, List<String> broken) {
    if (node instanceof Map<?, ?> map) {
      Object ref = map.get("$ref");
      if (ref != null && resolve(document, Map.of("$ref", ref)) == null) {
        broken.add(where + ": " + ref);
      }
      map.forEach((key, value) -> references(document, value, where + "/" + key, broken));
    } else if (node instanceof List<?> list) {
      list.forEach(value -> references(document, value, where, broken));
    }
  }

  /** The node a {@code $ref} points at (followed to the end), or the node itself; null when it leads nowhere. */
  @SuppressWarnings("unchecked")
  private static Object resolve(Map<String, Object> document, Object node) {
    while (node instanceof Map<?, ?> map && map.get("$ref") instanceof String ref) {
      Object target = document;
      for (String part : ref.substring(2).split("/")) {
        target = target instanceof Map<?, ?> m ? m.get(part.replace("~1", "/").replace("~0", "~")) : null;
      }
      node = target;
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> document() throws Exception {
    try (InputStream in = ApiDocumentTest.class.getResourceAsStream("/openapi.yaml")) {
      return new Yaml().load(in);
    }
  }

  @SuppressWarnings("unchecked")
  private static Set<String> documentedOperations() throws Exception {
    Set<String> operations = new TreeSet<>();
    try (InputStream in = ApiDocumentTest.class.getResourceAsStream("/openapi.yaml")) {
      Map<String, Object> document = new Yaml().load(in);
      assertThat(document.get("openapi")).asString().startsWith("3.");
      Map<String, Object> paths = (Map<String, Object>) document.get("paths");
      paths.forEach((path, item) -> ((Map<String, Object>) item).keySet().stream()
          .filter(VERBS::contains)
          .forEach(verb -> operations.add(verb.toUpperCase() + " " + path)));
    }
    return operations;
  }

  private static Set<String> servedOperations() {
    OnsaleConfig config = TestEnv.freshConfig(Map.of("ONSALE_ROLES", "web,workers,ops"));
    Vertx vertx = Vertx.vertx();
    try {
      Services services = TestServices.of(vertx, config, Ops.newRegistry());
      Router router = Router.router(vertx);
      OnsaleApp.webModules(Roles.parse("web,workers,ops")).forEach(m -> m.apply(services).mount(router));
      Set<String> operations = new TreeSet<>();
      for (Route route : router.getRoutes()) {
        String path = route.getPath();
        if (path == null || route.methods() == null) {
          continue;
        }
        String openApiPath = path.replaceAll(":([A-Za-z]+)", "{$1}");
        for (HttpMethod method : route.methods()) {
          operations.add(method.name() + " " + openApiPath);
        }
      }
      return operations;
    } finally {
      TestEnv.await(vertx.close());
    }
  }

  private static boolean isApi(String path) {
    return path.startsWith("/api/") || path.startsWith("/health") || path.equals("/metrics") || path.equals("/openapi.yaml");
  }
}
