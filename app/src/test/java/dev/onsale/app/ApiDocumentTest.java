package dev.onsale.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.Roles;
import dev.onsale.common.Services;
import dev.onsale.common.Tokens;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.ops.Ops;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.io.InputStream;
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
      Services services = new Services(vertx, config, Clients.pgPool(vertx, config), Clients.redis(vertx, config),
          new RedisKeys(config.redisPrefix()), new Tokens(vertx, config.tokenSecret()), Ops.newRegistry());
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
