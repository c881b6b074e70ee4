package dev.onsale.ops;

import static dev.onsale.common.testing.TestEnv.await;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Services;
import dev.onsale.common.testing.TestServices;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** An instance with only the ops module's parts (metrics, health, ops API, monitor), as the launcher wires them. */
final class OpsInstance implements AutoCloseable {

  final Services services;
  final PrometheusMeterRegistry registry;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private OpsInstance(Services services, PrometheusMeterRegistry registry) {
    this.services = services;
    this.registry = registry;
  }

  static OpsInstance start(OnsaleConfig config, boolean monitor) {
    PrometheusMeterRegistry registry = Ops.newRegistry();
    Vertx vertx = Ops.vertxBuilder(registry).build();
    Services services = TestServices.of(vertx, config, registry);
    await(TestServices.deployWeb(services, 1, List.of(Ops::webModule, Ops::opsPages)));
    if (monitor) {
      await(Ops.deploy(services));
      await(Ops.deployEventMeters(services));
    }
    return new OpsInstance(services, registry);
  }

  HttpResponse<String> get(String path, String token) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + services.config().httpPort() + path))
          .timeout(Duration.ofSeconds(10));
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  String adminToken() {
    return services.config().adminToken();
  }

  @Override
  public void close() {
    await(services.vertx().close());
  }
}
