package dev.onsale.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Every request body is strict JSON before any handler sees it: sent as {@code application/json}
 * (charset, if named, UTF-8), else {@code 415 unsupported_media_type}; valid UTF-8 without a byte
 * order mark, no comments, no duplicate names, nothing after the value, else {@code 400
 * malformed_json}. The parsed value is kept for {@link RequestBodies#object}. Paths a module
 * declares in {@link WebModule#rawBodyPaths()} (signed provider notifications) are left raw.
 */
public final class JsonBodies implements Handler<RoutingContext> {

  static final String PARSED = "onsale.json";
  private static final JsonFactory STRICT = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final List<PathTemplate> rawPaths;

  public JsonBodies(List<String> rawPaths) {
    this.rawPaths = rawPaths.stream().map(PathTemplate::of).toList();
  }

  /**
   * Runs before the body is read: a request that announces a body (a length above zero, or
   * chunks) in another media type is refused at once, so a form or multipart body is never read.
   */
  public Handler<RoutingContext> mediaType() {
    return ctx -> {
      String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
      boolean announced = ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)
          || (length != null && !length.strip().equals("0"));
      if (announced && !isRaw(ctx.normalizedPath())) {
        requireJsonContentType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
      }
      ctx.next();
    };
  }

  /** Runs after the body is read: parses it strictly and keeps the value. */
  @Override
  public void handle(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0 || isRaw(ctx.normalizedPath())) {
      ctx.next();
      return;
    }
    requireJsonContentType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
    ctx.put(PARSED, parse(body));
    ctx.next();
  }

  private boolean isRaw(String path) {
    for (PathTemplate raw : rawPaths) {
      if (raw.matches(path)) {
        return true;
      }
    }
    return false;
  }

  static void requireJsonContentType(String header) {
    if (header == null || header.isBlank()) {
      throw unsupported("a request body needs Content-Type: application/json");
    }
    String[] parts = header.split(";");
    if (!parts[0].strip().toLowerCase(Locale.ROOT).equals("application/json")) {
      throw unsupported("send the body as application/json, not " + abbreviate(parts[0].strip()));
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].strip().toLowerCase(Locale.ROOT);
      if (parameter.startsWith("charset=")) {
        String charset = parameter.substring("charset=".length()).replace("\"", "");
        if (!charset.equals("utf-8") && !charset.equals("utf8")) {
          throw unsupported("JSON bodies are UTF-8, not " + abbreviate(charset));
        }
      }
    }
  }

  /** The body as a JSON value (object, array, string, number, boolean or null), strictly read. */
  static Object parse(Buffer body) {
    byte[] bytes = body.getBytes();
    if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
      throw malformed("the request body must not start with a byte order mark");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw malformed("the request body is not valid UTF-8");
    }
    try (JsonParser parser = STRICT.createParser(text)) {
      return JacksonCodec.fromParser(parser, Object.class);
    } catch (IOException | RuntimeException e) {
      throw malformed("the request body is not valid JSON");
    }
  }

  private static ApiException unsupported(String message) {
    return new ApiException(415, "unsupported_media_type", message);
  }

  private static ApiException malformed(String message) {
    return ApiException.badRequest("malformed_json", message);
  }

  private static String abbreviate(String text) {
    return text.length() > 60 ? text.substring(0, 60) + "..." : text;
  }
}
