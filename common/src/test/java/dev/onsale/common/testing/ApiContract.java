package dev.onsale.common.testing;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The OpenAPI document as a test oracle: every answer a test receives must be one the document
 * promises. The request's path and method must name a documented operation (or get the 404, 401
 * or 405 a server gives for paths and methods it does not serve), the status must be one of the
 * operation's responses, its required headers present, its content type one of the documented
 * ones, and a JSON body valid against the response's schema (OpenAPI 3.0 dialect: {@code nullable}
 * honoured, formats asserted). Paths outside {@code /api/} that the document does not name (pages,
 * static files) are not the document's business and pass unchecked.
 */
public final class ApiContract {

  /** Refusals of the HTTP layer, before any route: possible on every request, always a JSON error. */
  private static final Set<Integer> ANY_REQUEST = Set.of(414, 431, 505);
  private static final Set<String> VERBS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final String BASE = "https://onsale.test/openapi.json";
  private static final String ERROR_SCHEMA = "/components/schemas/Error";

  private final JsonObject document;
  private final SchemaRegistry registry;
  private final List<Template> templates = new ArrayList<>();
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  private ApiContract(String yaml) {
    String json;
    try {
      json = new YAMLMapper().readTree(yaml).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.document = new JsonObject(json);
    this.registry = SchemaRegistry.withDialect(Dialects.getOpenApi30(), builder -> builder.schemas(Map.of(BASE, json)));
    document.getJsonObject("paths").fieldNames().forEach(path -> templates.add(new Template(path)));
  }

  public static ApiContract of(String yaml) {
    return new ApiContract(yaml);
  }

  /**
   * The document from the sale core's sources, for modules that test without the sale core on
   * their class path (the tests run in their module's folder, beside the sale core's).
   */
  public static ApiContract fromSaleCoreSources() {
    try {
      return of(java.nio.file.Files.readString(java.nio.file.Path.of("..", "sale-core", "src", "main", "resources", "openapi.yaml")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The document the sale core serves, from the test's class path. */
  public static ApiContract fromClasspath() {
    try (InputStream in = ApiContract.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is not on the class path");
      }
      return of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails with every way the answer breaks the document's promise for this request. */
  public void check(HttpMethod method, String uri, int status, MultiMap headers, Buffer body) {
    check(method, uri, null, status, headers, body);
  }

  /**
   * As {@link #check(HttpMethod, String, int, MultiMap, Buffer)}, and a request body the server
   * accepted (a 2xx) must be one the document accepts: the document is not stricter than the server.
   */
  public void check(HttpMethod method, String uri, Buffer requestBody, int status, MultiMap headers, Buffer body) {
    List<String> problems = problems(method, uri, status, headers, body);
    if (problems.isEmpty() && status >= 200 && status < 300) {
      acceptedRequest(method, uri, requestBody, problems);
    }
    if (!problems.isEmpty()) {
      String shown = body == null ? "" : abbreviate(body.toString(StandardCharsets.UTF_8));
      throw new AssertionError("the answer to " + method.name() + " " + abbreviate(uri) + " (" + status + " " + shown
          + ") breaks openapi.yaml: " + String.join("; ", problems));
    }
  }

  public List<String> problems(HttpMethod method, String uri, int status, MultiMap headers, Buffer body) {
    String path = rawPath(uri);
    List<String> problems = new ArrayList<>();
    String verb = method.name().toLowerCase();
    List<Template> matching = templates.stream().filter(t -> t.matches(path)).toList();
    if (ANY_REQUEST.contains(status)) {
      requireError(status, headers, body, problems);
      return problems;
    }
    if (matching.isEmpty()) {
      if (path.startsWith("/api/")) {
        unservedPath(status, headers, body, problems);
      }
      return problems;
    }
    // Like the router: the most specific template that serves the method; a 405 names the methods of all.
    Template template = matching.stream().filter(t -> item(t).containsKey(verb))
        .max((a, b) -> Integer.compare(a.literalSegments(), b.literalSegments())).orElse(null);
    if (template == null) {
      unservedMethod(matching, status, headers, body, problems);
      return problems;
    }
    JsonObject item = item(template);
    String operation = "/paths/" + escape(template.path()) + "/" + verb;
    JsonObject responses = item.getJsonObject(verb).getJsonObject("responses");
    String key = responses.containsKey(String.valueOf(status)) ? String.valueOf(status)
        : responses.containsKey("default") ? "default" : null;
    if (key == null) {
      if (status == 400 && "bad_request".equals(errorCode(body))) {
        // An unreadable request (no Host header, a broken chunk): the HTTP layer's, on any operation.
        requireError(status, headers, body, problems);
        return problems;
      }
      problems.add("status " + status + " is not documented for " + method.name() + " " + template.path()
          + " (documented: " + String.join(", ", new TreeSet<>(responses.fieldNames())) + ")");
      return problems;
    }
    String pointer = operation + "/responses/" + key;
    JsonObject response = responses.getJsonObject(key);
    while (response.containsKey("$ref")) {
      pointer = response.getString("$ref").substring(1);
      response = resolve(pointer);
    }
    checkResponse(pointer, response, status, headers, body, problems);
    return problems;
  }

  private void acceptedRequest(HttpMethod method, String uri, Buffer requestBody, List<String> problems) {
    String path = rawPath(uri);
    String verb = method.name().toLowerCase();
    Template template = templates.stream().filter(t -> t.matches(path) && item(t).containsKey(verb))
        .max((a, b) -> Integer.compare(a.literalSegments(), b.literalSegments())).orElse(null);
    JsonObject declared = template == null ? null : item(template).getJsonObject(verb).getJsonObject("requestBody");
    boolean sent = requestBody != null && requestBody.length() > 0;
    if (declared == null || !sent) {
      if (declared != null && declared.getBoolean("required", false)) {
        problems.add("the server accepted a request without the body the document requires");
      }
      return;
    }
    String pointer = "/paths/" + escape(template.path()) + "/" + verb + "/requestBody/content/application~1json/schema";
    if (declared.getJsonObject("content", new JsonObject()).containsKey("application/json")) {
      List<String> found = new ArrayList<>();
      validate(pointer, requestBody, found);
      found.forEach(problem -> problems.add("the server accepted a request body the document refuses: request " + problem));
    }
  }

  private void checkResponse(String pointer, JsonObject response, int status, MultiMap headers, Buffer body,
                             List<String> problems) {
    JsonObject declaredHeaders = response.getJsonObject("headers", new JsonObject());
    for (String name : declaredHeaders.fieldNames()) {
      JsonObject header = declaredHeaders.getJsonObject(name);
      while (header.containsKey("$ref")) {
        header = resolve(header.getString("$ref").substring(1));
      }
      if (header.getBoolean("required", false) && headers.get(name) == null) {
        problems.add("header " + name + " is required with status " + status);
      }
    }
    JsonObject content = response.getJsonObject("content");
    boolean empty = body == null || body.length() == 0;
    if (content == null || content.isEmpty()) {
      if (!empty) {
        problems.add("status " + status + " is documented without a body, yet one came");
      }
      return;
    }
    String mediaType = mediaType(headers.get("Content-Type"));
    String declared = content.fieldNames().stream().filter(type -> covers(type, mediaType)).findFirst().orElse(null);
    if (declared == null) {
      problems.add("content type " + mediaType + " is not documented for status " + status
          + " (documented: " + String.join(", ", content.fieldNames()) + ")");
      return;
    }
    JsonObject media = content.getJsonObject(declared);
    if (isJson(declared) && media.containsKey("schema")) {
      validate(pointer + "/content/" + escape(declared) + "/schema", body, problems);
    }
  }

  private void unservedPath(int status, MultiMap headers, Buffer body, List<String> problems) {
    // 401 before 404: the organizer's paths are guarded as a whole. 400, 413 and 415 answer a body
    // that cannot be read, whatever the path.
    if (!Set.of(400, 401, 404, 413, 415).contains(status)) {
      problems.add("a path the document does not name answered " + status + " (expected 404)");
    }
    requireError(status, headers, body, problems);
  }

  private void unservedMethod(List<Template> matching, int status, MultiMap headers, Buffer body, List<String> problems) {
    Set<String> documented = new TreeSet<>();
    matching.forEach(t -> item(t).fieldNames().stream().filter(VERBS::contains).forEach(verb -> documented.add(verb.toUpperCase())));
    String paths = matching.stream().map(Template::path).collect(java.util.stream.Collectors.joining(" and "));
    if (status == 405) {
      Set<String> allowed = new TreeSet<>();
      String allow = headers.get("Allow");
      if (allow != null) {
        Arrays.stream(allow.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(allowed::add);
      }
      if (!allowed.equals(documented)) {
        problems.add("Allow says " + allowed + " but the document has " + documented + " on " + paths);
      }
    } else if (!Set.of(400, 401, 413, 415).contains(status)) {
      problems.add("an undocumented method on " + paths + " answered " + status + " (expected 405; documented: "
          + documented + ")");
    }
    requireError(status, headers, body, problems);
  }

  private void requireError(int status, MultiMap headers, Buffer body, List<String> problems) {
    String mediaType = mediaType(headers.get("Content-Type"));
    if (!"application/json".equals(mediaType)) {
      problems.add("status " + status + " came as " + mediaType + ", not a JSON error");
      return;
    }
    validate(ERROR_SCHEMA, body, problems);
  }

  private void validate(String pointer, Buffer body, List<String> problems) {
    String text = body == null ? "" : body.toString(StandardCharsets.UTF_8);
    try {
      new io.vertx.core.json.JsonArray("[" + text + "]");
    } catch (RuntimeException e) {
      problems.add("the body is not JSON");
      return;
    }
    Schema schema = schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(BASE + "#" + p)));
    List<Error> errors = schema.validate(text, InputFormat.JSON,
        context -> context.executionConfig(config -> config.formatAssertionsEnabled(true)));
    errors.stream().limit(8).forEach(error -> problems.add("body at " + error.getInstanceLocation() + ": " + error.getMessage()
        + " (schema " + pointer.replace("~1", "/") + ")"));
  }

  private JsonObject item(Template template) {
    return document.getJsonObject("paths").getJsonObject(template.path());
  }

  private JsonObject resolve(String pointer) {
    Object node = document;
    for (String part : pointer.substring(1).split("/")) {
      node = ((JsonObject) node).getValue(part.replace("~1", "/").replace("~0", "~"));
    }
    return (JsonObject) node;
  }

  private static String errorCode(Buffer body) {
    try {
      return body == null ? null : new JsonObject(body).getString("error");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String rawPath(String uri) {
    int cut = uri.indexOf('?');
    String path = cut < 0 ? uri : uri.substring(0, cut);
    if (path.startsWith("http://") || path.startsWith("https://")) {
      path = path.substring(path.indexOf('/', path.indexOf("//") + 2));
    }
    return path;
  }

  private static String mediaType(String header) {
    return header == null ? "(none)" : header.split(";")[0].trim().toLowerCase();
  }

  private static boolean covers(String declared, String actual) {
    if (declared.equals(actual) || declared.equals("*/*")) {
      return true;
    }
    return declared.endsWith("/*") && actual.startsWith(declared.substring(0, declared.length() - 1));
  }

  private static boolean isJson(String mediaType) {
    return mediaType.equals("application/json") || mediaType.endsWith("+json");
  }

  private static String escape(String pointerPart) {
    return pointerPart.replace("~", "~0").replace("/", "~1");
  }

  private static String abbreviate(String text) {
    return text.length() > 300 ? text.substring(0, 300) + "...(" + text.length() + " chars)" : text;
  }

  /** A documented path: literal segments match themselves, {@code {name}} any one non-empty segment. */
  private record Template(String path, String[] segments) {
    Template(String path) {
      this(path, path.split("/", -1));
    }

    boolean matches(String raw) {
      String[] parts = raw.split("/", -1);
      if (parts.length != segments.length) {
        return false;
      }
      for (int i = 0; i < parts.length; i++) {
        String segment = segments[i];
        boolean variable = segment.startsWith("{") && segment.endsWith("}");
        if (variable ? parts[i].isEmpty() : !segment.equals(parts[i])) {
          return false;
        }
      }
      return true;
    }

    int literalSegments() {
      return (int) Arrays.stream(segments).filter(s -> !s.startsWith("{")).count();
    }
  }
}
