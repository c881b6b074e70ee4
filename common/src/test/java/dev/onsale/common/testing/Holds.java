package dev.onsale.common.testing;

import io.vertx.core.json.JsonObject;

/**
 * Where the maker of a hold orders or releases it, from the reserve answer: with the hold's
 * {@code secret} when it has one (the waiting room off); a hold made with an admission also needs
 * that admission's token as the Authorization header.
 */
public final class Holds {

  private Holds() {}

  public static String orderPath(JsonObject hold) {
    return reservationPath(hold) + "/order" + secretQuery(hold);
  }

  public static String releasePath(JsonObject hold) {
    return reservationPath(hold) + secretQuery(hold);
  }

  private static String reservationPath(JsonObject hold) {
    return "/api/v1/reservations/" + hold.getString("id");
  }

  private static String secretQuery(JsonObject hold) {
    return hold.getString("secret") == null ? "" : "?secret=" + hold.getString("secret");
  }
}
