package dev.onsale.sale;

import io.vertx.pgclient.PgException;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The business errors the SQL functions raise, by their SQLSTATE in Onsale's own class {@code OS},
 * spelled once: Java decides on the code, never on the message text, which is for people reading
 * logs. {@code SaleErrorTest} checks these against the codes the live functions of the migrations
 * raise, both ways. A code names a kind of refusal; the function called says what it refused.
 */
public enum SaleError {

  /** {@code late_sold_out}: a late payment's claim found a category short; caught inside claim_for_late_order. */
  LATE_SOLD_OUT("OS001"),
  /** {@code reservation_not_found} (place_order, place_owned_order), {@code order_not_found} (cancel_order). */
  NOT_FOUND("OS002"),
  /** {@code admission_used} (reserve_tickets): the admission placed an order already. */
  ADMISSION_USED("OS003"),
  /**
   * {@code reservation_not_active} (place_order), {@code order_not_cancellable} (cancel_order): not in
   * a status that allows it; DETAIL: its status.
   */
  WRONG_STATUS("OS004"),
  /** {@code too_many_pending} (place_order): the address keeps too many unpaid tickets; DETAIL: how many. */
  TOO_MANY_PENDING("OS005"),
  /** {@code hold_expired} (place_order). */
  HOLD_EXPIRED("OS006"),
  /** {@code payment_not_found} (settle_payment, settle_refund). */
  PAYMENT_NOT_FOUND("OS007"),
  /** {@code sale_paused} (reserve_tickets, reserve_batch). */
  SALE_PAUSED("OS008"),
  /** {@code sold_out} (reserve_tickets, since V9): a category is short; DETAIL: its id. */
  SOLD_OUT("OS009");

  private static final Map<String, SaleError> BY_CODE = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(SaleError::sqlState, Function.identity()));

  private final String sqlState;

  SaleError(String sqlState) {
    this.sqlState = sqlState;
  }

  public String sqlState() {
    return sqlState;
  }

  /** The business error a failure is, or null when it is none of them. */
  public static SaleError of(Throwable failure) {
    return failure instanceof PgException pg && pg.getSqlState() != null ? BY_CODE.get(pg.getSqlState()) : null;
  }

  /** Whether the failure is this error. */
  public boolean raised(Throwable failure) {
    return of(failure) == this;
  }

  /** The DETAIL the function raised with (a status, a category id, a count), or null. */
  public static String detail(Throwable failure) {
    return failure instanceof PgException pg ? pg.getDetail() : null;
  }
}
