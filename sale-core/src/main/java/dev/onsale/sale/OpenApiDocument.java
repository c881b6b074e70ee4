package dev.onsale.sale;

import dev.onsale.common.WebModule;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves the OpenAPI 3 description of the HTTP API at {@code /openapi.yaml}. */
final class OpenApiDocument implements WebModule {

  static final String RESOURCE = "/openapi.yaml";
  private static final Buffer DOCUMENT = load();

  @Override
  public void mount(Router router) {
    router.get("/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml; charset=utf-8")
        .putHeader("Cache-Control", "public, max-age=300")
        .end(DOCUMENT));
  }

  private static Buffer load() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
