package dev.onsale.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.onsale.common.testing.ApiContract;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The API contract the tests check answers against")
class ApiContractTest {

  private static final ApiContract CONTRACT = ApiContract.of("""
      openapi: 3.0.3
      info: {title: t, version: "1"}
      paths:
        /api/v1/things:
          post:
            requestBody:
              required: true
              content:
                application/json:
                  schema:
                    type: object
                    required: [name]
                    additionalProperties: false
                    properties:
                      name: {type: string, maxLength: 5}
            responses:
              "201": {description: made}
              "400": {$ref: "#/components/responses/Error"}
        /api/v1/things/{id}:
          get:
            responses:
              "200":
                description: a thing
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/Thing"}
              "404": {$ref: "#/components/responses/Error"}
              "503":
                description: busy
                headers:
                  Retry-After: {required: true, schema: {type: integer}}
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/Error"}
          delete:
            responses:
              "204": {description: gone}
      components:
        responses:
          Error:
            description: an error
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Error"}
        schemas:
          Error:
            type: object
            required: [error, message]
            properties:
              error: {type: string}
              message: {type: string, minLength: 1}
          Part:
            type: object
            required: [id]
            properties:
              id: {type: string, format: uuid}
          Thing:
            type: object
            required: [id, when, part]
            properties:
              id: {type: integer}
              when: {type: string, format: date-time, nullable: true}
              part:
                nullable: true
                allOf: [{$ref: "#/components/schemas/Part"}]
      """);

  private static MultiMap json() {
    return MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
  }

  private static void check(HttpMethod method, String uri, int status, MultiMap headers, String body) {
    CONTRACT.check(method, uri, status, headers, body == null ? null : Buffer.buffer(body));
  }

  @Test
  @DisplayName("lets through an answer the document promises, nulls where it says nullable")
  void documentedAnswers() {
    check(HttpMethod.GET, "/api/v1/things/7?x=1", 200, json(), "{\"id\":7,\"when\":null,\"part\":null}");
    check(HttpMethod.GET, "/api/v1/things/7", 200, json(),
        "{\"id\":7,\"when\":\"2026-12-01T18:00:00.123Z\",\"part\":{\"id\":\"00000000-0000-4000-8000-000000000000\"}}");
    check(HttpMethod.GET, "/api/v1/things/abc", 404, json(), "{\"error\":\"not_found\",\"message\":\"thing not found\"}");
    check(HttpMethod.DELETE, "/api/v1/things/7", 204, MultiMap.caseInsensitiveMultiMap(), "");
    check(HttpMethod.GET, "/e/some-page", 200, MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/html"), "<html>");
    check(HttpMethod.GET, "/api/v1/nothing", 404, json(), "{\"error\":\"not_found\",\"message\":\"path not found\"}");
    check(HttpMethod.PUT, "/api/v1/things/7", 405, json().add("Allow", "DELETE, GET"),
        "{\"error\":\"method_not_allowed\",\"message\":\"PUT is not served\"}");
    check(HttpMethod.GET, "/api/v1/things/" + "9".repeat(20), 414, json(), "{\"error\":\"uri_too_long\",\"message\":\"too long\"}");
  }

  @Test
  @DisplayName("fails an undocumented status, path or method, naming what the document has")
  void undocumented() {
    assertThatThrownBy(() -> check(HttpMethod.GET, "/api/v1/things/7", 500, json(), "{\"error\":\"internal_error\",\"message\":\"x\"}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("status 500 is not documented for GET /api/v1/things/{id}")
        .hasMessageContaining("200, 404, 503");
    assertThatThrownBy(() -> check(HttpMethod.GET, "/api/v1/nothing", 200, json(), "{}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("a path the document does not name answered 200");
    assertThatThrownBy(() -> check(HttpMethod.PUT, "/api/v1/things/7", 405, json().add("Allow", "GET"),
        "{\"error\":\"method_not_allowed\",\"message\":\"no\"}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("Allow says [GET] but the document has [DELETE, GET]");
    assertThatThrownBy(() -> check(HttpMethod.POST, "/api/v1/things/7", 200, json(), "{}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("expected 405");
  }

  @Test
  @DisplayName("fails when the server accepted a request the document refuses, and not when it refused it")
  void acceptedRequests() {
    Buffer fine = Buffer.buffer("{\"name\":\"abc\"}");
    Buffer tooLong = Buffer.buffer("{\"name\":\"abcdefgh\"}");
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    CONTRACT.check(HttpMethod.POST, "/api/v1/things", fine, 201, none, Buffer.buffer());
    CONTRACT.check(HttpMethod.POST, "/api/v1/things", tooLong, 400, json(), Buffer.buffer("{\"error\":\"invalid_field\",\"message\":\"name\"}"));
    assertThatThrownBy(() -> CONTRACT.check(HttpMethod.POST, "/api/v1/things", tooLong, 201, none, Buffer.buffer()))
        .isInstanceOf(AssertionError.class).hasMessageContaining("accepted a request body the document refuses: request body at /name");
    assertThatThrownBy(() -> CONTRACT.check(HttpMethod.POST, "/api/v1/things", null, 201, none, Buffer.buffer()))
        .isInstanceOf(AssertionError.class).hasMessageContaining("without the body the document requires");
  }

  @Test
  @DisplayName("fails a body that breaks its schema, a wrong content type, a missing header or a body where none is promised")
  void wrongAnswers() {
    assertThatThrownBy(() -> check(HttpMethod.GET, "/api/v1/things/7", 200, json(), "{\"id\":\"7\",\"when\":\"yesterday\",\"part\":null}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("body at /id:").hasMessageContaining("body at /when:");
    assertThatThrownBy(() -> check(HttpMethod.GET, "/api/v1/things/7", 200, json(), "{\"id\":7,\"when\":null}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("part");
    assertThatThrownBy(() -> check(HttpMethod.GET, "/api/v1/things/7", 200, json(), "{\"id\":7,\"when\":null,\"part\":{}}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("id");
    assertThatThrownBy(() -> check(HttpMethod.GET, "/api/v1/things/7", 200,
        MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/plain"), "{\"id\":7,\"when\":null,\"part\":null}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("content type text/plain is not documented");
    assertThatThrownBy(() -> check(HttpMethod.GET, "/api/v1/things/7", 503, json(), "{\"error\":\"overloaded\",\"message\":\"busy\"}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("header Retry-After is required");
    assertThatThrownBy(() -> check(HttpMethod.GET, "/api/v1/things/7", 404, json(), "{\"error\":\"not_found\"}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("message");
    assertThatThrownBy(() -> check(HttpMethod.GET, "/api/v1/things/7", 404, json(), "not json"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> check(HttpMethod.DELETE, "/api/v1/things/7", 204, json(), "{}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("documented without a body");
    assertThat(CONTRACT.problems(HttpMethod.GET, "/api/v1/things/7", 200, json(), Buffer.buffer("{\"id\":7,\"when\":null,\"part\":null}")))
        .isEmpty();
  }
}
