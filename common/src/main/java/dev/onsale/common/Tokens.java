package dev.onsale.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies the two buyer tokens (HS256 with {@code ONSALE_TOKEN_SECRET}). A queue token
 * carries the buyer's arrival number; an admission token says that number may shop. Both are bound
 * to one event, so the shop verifies them without a database read. The same key derives each
 * reservation's secret (made without an admission), so that secret is checked without one either.
 */
public final class Tokens {

  public static final String QUEUE = "queue";
  public static final String ADMISSION = "admission";

  private final JWTAuth jwt;
  private final JWTAuth jwtAnyAge;
  private final SecretKeySpec reservationKey;

  public Tokens(Vertx vertx, String secret) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
        .setJWTOptions(new JWTOptions().setLeeway(2)));
    this.jwtAnyAge = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
        .setJWTOptions(new JWTOptions().setIgnoreExpiration(true)));
    this.reservationKey = new SecretKeySpec(("reservation:" + secret).getBytes(StandardCharsets.UTF_8), "HmacSHA256");
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
    return verify(jwt, token, kind, eventId);
  }

  /**
   * Verifies signature and kind only, whatever the token's age or event: for proving who made
   * something (a reservation) whose own end bounds how long the proof matters. The caller compares
   * the claims' event and number with what was made.
   */
  public Future<TokenClaims> verifyIssued(String token, String kind) {
    return verify(jwtAnyAge, token, kind, null);
  }

  /** The secret that lets its maker order or release a reservation made without an admission. */
  public String reservationSecret(UUID reservationId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(reservationKey);
      byte[] digest = mac.doFinal(reservationId.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code given} is that reservation's secret (compared in constant time). */
  public boolean isReservationSecret(UUID reservationId, String given) {
    return given != null && MessageDigest.isEqual(reservationSecret(reservationId).getBytes(StandardCharsets.UTF_8),
        given.getBytes(StandardCharsets.UTF_8));
  }

  private static Future<TokenClaims> verify(JWTAuth jwt, String token, String kind, Long eventId) {
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
          if (!(p.getValue("ev") instanceof Number ev) || (eventId != null && ev.longValue() != eventId)) {
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
          return Future.succeededFuture(new TokenClaims(kind, ev.longValue(), n.longValue(), p.getString("mid"),
              exp.longValue()));
        });
  }

  private static ApiException invalid(String message) {
    return new ApiException(401, "invalid_token", message);
  }

  /** What a verified token says. {@code expiresAt} is in epoch seconds. */
  public record TokenClaims(String kind, long eventId, long number, String memberId, long expiresAt) {}
}
