package dev.onsale.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/**
 * Signs and verifies the two buyer tokens (HS256 with {@code ONSALE_TOKEN_SECRET}). A queue token
 * carries the buyer's arrival number; an admission token says that number may shop. Both are bound
 * to one event, so the shop verifies them without a database read.
 */
public final class Tokens {

  public static final String QUEUE = "queue";
  public static final String ADMISSION = "admission";

  private final JWTAuth jwt;

  public Tokens(Vertx vertx, String secret) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
        .setJWTOptions(new JWTOptions().setLeeway(2)));
  }

  public String queueToken(long eventId, long number, String memberId, int expiresInSeconds) {
    JsonObject claims = new JsonObject()
        .put("typ", QUEUE)
        .put("ev", eventId)
        .put("n", number)
        .put("mid", memberId);
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(expiresInSeconds));
  }

  public String admissionToken(long eventId, long number, int expiresInSeconds) {
    JsonObject claims = new JsonObject().put("typ", ADMISSION).put("ev", eventId).put("n", number);
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(expiresInSeconds));
  }

  /** Verifies signature, expiry, kind and event; any mismatch is a 401 {@code invalid_token}. */
  public Future<TokenClaims> verify(String token, String kind, long eventId) {
    if (token == null || token.isEmpty() || token.length() > 4096) {
      return Future.failedFuture(invalid("a " + kind + " token is required"));
    }
    return jwt.authenticate(new TokenCredentials(token))
        .recover(e -> Future.failedFuture(invalid("the " + kind + " token is invalid or expired")))
        .compose(user -> {
          JsonObject p = user.principal();
          if (!kind.equals(p.getValue("typ"))) {
            return Future.failedFuture(invalid("this is not a " + kind + " token"));
          }
          if (!(p.getValue("ev") instanceof Number ev) || ev.longValue() != eventId) {
            return Future.failedFuture(invalid("the " + kind + " token belongs to another event"));
          }
          if (!(p.getValue("n") instanceof Number n)) {
            return Future.failedFuture(invalid("the " + kind + " token carries no number"));
          }
          // vertx-auth-jwt moves the time claims from the principal into the user's attributes.
          Object expClaim = p.containsKey("exp") ? p.getValue("exp") : user.attributes().getValue("exp");
          if (!(expClaim instanceof Number exp)) {
            return Future.failedFuture(invalid("the " + kind + " token never expires, which we never issue"));
          }
          return Future.succeededFuture(new TokenClaims(kind, eventId, n.longValue(), p.getString("mid"), exp.longValue()));
        });
  }

  private static ApiException invalid(String message) {
    return new ApiException(401, "invalid_token", message);
  }

  /** What a verified token says. {@code expiresAt} is in epoch seconds. */
  public record TokenClaims(String kind, long eventId, long number, String memberId, long expiresAt) {}
}
