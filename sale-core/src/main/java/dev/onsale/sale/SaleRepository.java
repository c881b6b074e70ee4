package dev.onsale.sale;

import dev.onsale.common.ApiException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reservations and orders: the hot path of a sale, each write one round trip to PostgreSQL. */
public final class SaleRepository {

  private final Pool pool;

  public SaleRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * What an order placed or cancelled tells the caller: {@code status} is {@code paid} (total zero)
   * or {@code pending} until {@code paymentExpiresAt}.
   */
  public record Placed(long orderId, long eventId, Long admissionNumber, String status, long totalCents, String currency,
                       Instant paymentExpiresAt, List<HeldTicket> tickets) {}

  /** Who pays, and how: the payment row's id (written with the order), its provider, the buyer's address. */
  public record PaymentTerms(UUID paymentId, String provider, String buyerAddress, int maxPendingTickets) {}

  public record Released(long eventId, Long admissionNumber) {}

  /**
   * Who asks to order or release a reservation: the admission that made it (event and number), or
   * the holder of the secret of one made without an admission (checked before, so no number).
   */
  public record Owner(Long eventId, Long admissionNumber) {

    public static Owner ofAdmission(long eventId, long number) {
      return new Owner(eventId, number);
    }

    public static Owner ofSecret() {
      return new Owner(null, null);
    }
  }

  /** To anyone but its owner a reservation does not exist: the answer for an unknown id. */
  public static ApiException reservationNotFound() {
    return ApiException.notFound("reservation");
  }

  /**
   * Claims every requested ticket or none; a category short of tickets fails with
   * {@link SoldOut} naming it.
   */
  public Future<Hold> reserve(long eventId, Long admissionNumber, int holdSeconds, List<long[]> items) {
    UUID id = UUID.randomUUID();
    Long[] categories = items.stream().map(i -> i[0]).toArray(Long[]::new);
    Integer[] quantities = items.stream().map(i -> (int) i[1]).toArray(Integer[]::new);
    return pool.preparedQuery(SaleSql.RESERVE)
        .execute(Tuple.of(eventId, id, admissionNumber, holdSeconds, categories, quantities))
        .<Hold>map(rows -> {
          List<HeldTicket> tickets = new ArrayList<>();
          OffsetDateTime until = null;
          for (Row r : rows) {
            tickets.add(new HeldTicket(r.getLong("ticket_id"), r.getLong("category_id")));
            until = r.getOffsetDateTime("held_until");
          }
          return new Hold(id, eventId, until == null ? Instant.now() : until.toInstant(), tickets);
        })
        .recover(e -> Future.failedFuture(translateReserveFailure(e)));
  }

  /** The claim's business errors (by SQLSTATE, {@link SaleError}) as answers; anything else stays what it is. */
  static Throwable translateReserveFailure(Throwable e) {
    if (EventRepository.isUniqueViolation(e)) {
      return admissionInUse();
    }
    SaleError error = SaleError.of(e);
    if (error == null) {
      return e;
    }
    return switch (error) {
      case SOLD_OUT -> new SoldOut(Long.parseLong(SaleError.detail(e)));
      case ADMISSION_USED -> admissionUsed();
      case SALE_PAUSED -> ApiException.conflict("sale_paused", "the organizer has paused this sale; try again later");
      default -> e;
    };
  }

  static ApiException admissionInUse() {
    return ApiException.conflict("admission_in_use",
        "this admission already holds a reservation: order it or release it first");
  }

  /** The admission placed an order already: it ended there, and the buyer's slot went to the next in line. */
  static ApiException admissionUsed() {
    return ApiException.conflict("admission_used",
        "this admission was used for an order; join the queue again to buy more");
  }

  /** Whether the admission placed an order (the index reservations_admission_used answers it). */
  public Future<Boolean> admissionOrdered(long eventId, long admissionNumber) {
    return pool.preparedQuery(SaleSql.ADMISSION_ORDERED).execute(Tuple.of(eventId, admissionNumber))
        .map(rows -> rows.iterator().next().getBoolean("ordered"));
  }

  /** Releases its owner's active hold at once; its tickets are free again. */
  public Future<Released> release(UUID reservationId, Owner owner) {
    return pool.preparedQuery(SaleSql.RELEASE).execute(Tuple.of(reservationId, owner.eventId(), owner.admissionNumber()))
        .compose(rows -> {
          if (rows.size() == 1) {
            Row r = rows.iterator().next();
            return Future.succeededFuture(new Released(r.getLong("event_id"), r.getLong("admission_n")));
          }
          // One answer for a hold that has run out, whether or not the sweeper has marked it yet.
          return reservationStatus(reservationId, owner).compose(status -> Future.failedFuture(switch (status) {
            case "ordered" -> ApiException.conflict("reservation_ordered", "this reservation has been ordered");
            case "active", "expired" -> new ApiException(410, "reservation_gone", "this reservation already expired");
            default -> new ApiException(410, "reservation_gone", "this reservation was already " + status);
          }));
        });
  }

  private Future<String> reservationStatus(UUID reservationId, Owner owner) {
    return pool.preparedQuery(SaleSql.SELECT_RESERVATION_STATUS)
        .execute(Tuple.of(reservationId, owner.eventId(), owner.admissionNumber()))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(reservationNotFound())
            : Future.succeededFuture(rows.iterator().next().getString("status")));
  }

  /** Turns its owner's hold into an order (paid, or pending with its first payment row), in one transaction. */
  public Future<Placed> placeOrder(UUID reservationId, Owner owner, String code, String secret, String name,
                                   String email, PaymentTerms terms) {
    return pool.preparedQuery(SaleSql.PLACE_ORDER)
        .execute(Tuple.from(new Object[] {reservationId, owner.eventId(), owner.admissionNumber(), code, secret, name,
            email, terms.paymentId(), terms.provider(), terms.buyerAddress(), terms.maxPendingTickets()}))
        .map(rows -> {
          List<HeldTicket> tickets = new ArrayList<>();
          Row first = null;
          for (Row r : rows) {
            first = first == null ? r : first;
            tickets.add(new HeldTicket(r.getLong("ticket_id"), r.getLong("category_id")));
          }
          OffsetDateTime window = first.getOffsetDateTime("payment_expires_at");
          return new Placed(first.getLong("order_id"), first.getLong("event_id"), first.getLong("admission_n"),
              first.getString("status"), first.getLong("total_cents"), first.getString("currency"),
              window == null ? null : window.toInstant(), tickets);
        })
        .recover(e -> Future.failedFuture(translateOrderFailure(e)));
  }

  private static Throwable translateOrderFailure(Throwable e) {
    SaleError error = SaleError.of(e);
    if (error == null) {
      return e;
    }
    String detail = SaleError.detail(e);
    return switch (error) {
      case NOT_FOUND -> reservationNotFound();
      case WRONG_STATUS -> "ordered".equals(detail)
          ? ApiException.conflict("reservation_ordered", "this reservation has already been ordered")
          : new ApiException(410, "hold_expired", "this reservation was " + detail + "; reserve again");
      case HOLD_EXPIRED -> new ApiException(410, "hold_expired", "the hold on these tickets has expired; reserve again");
      case TOO_MANY_PENDING -> new ApiException(429, "too_many_pending",
          "this address already keeps " + detail + " tickets in orders waiting for payment; pay or let them go first",
          null, 60);
      default -> e;
    };
  }

  public Future<Placed> cancel(String code) {
    return pool.preparedQuery(SaleSql.CANCEL_ORDER).execute(Tuple.of(code))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new Placed(r.getLong("order_id"), r.getLong("event_id"), null, "cancelled", 0, null, null, List.of());
        })
        .recover(e -> {
          if (SaleError.NOT_FOUND.raised(e)) {
            return Future.failedFuture(ApiException.notFound("order"));
          }
          if (SaleError.WRONG_STATUS.raised(e)) {
            return Future.failedFuture(ApiException.conflict("order_not_cancellable",
                "this order is already " + SaleError.detail(e)));
          }
          return Future.failedFuture(e);
        });
  }

  /** An order as stored, with the secret to compare; null when the code is unknown. */
  public record StoredOrder(long id, String code, String secret, long eventId, String buyerName, String buyerEmail,
                            String status, long totalCents, String currency, OffsetDateTime createdAt,
                            OffsetDateTime paymentExpiresAt, OffsetDateTime keepUntil, OffsetDateTime paidAt,
                            int ticketCount, OffsetDateTime mailSentAt) {}

  public Future<StoredOrder> findOrder(String code) {
    return pool.preparedQuery(SaleSql.SELECT_ORDER).execute(Tuple.of(code))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          return new StoredOrder(r.getLong("id"), r.getString("code"), r.getString("secret"), r.getLong("event_id"),
              r.getString("buyer_name"), r.getString("buyer_email"), r.getString("status"),
              r.getLong("total_cents"), r.getString("currency"), r.getOffsetDateTime("created_at"),
              r.getOffsetDateTime("payment_expires_at"), r.getOffsetDateTime("keep_until"),
              r.getOffsetDateTime("paid_at"), r.getInteger("ticket_count"), r.getOffsetDateTime("mail_sent_at"));
        });
  }

  public record OrderTicket(long id, long categoryId, String categoryName, boolean active, boolean pdfReady) {}

  public Future<List<OrderTicket>> orderTickets(long orderId) {
    return pool.preparedQuery(SaleSql.SELECT_ORDER_TICKETS).execute(Tuple.of(orderId))
        .map(rows -> {
          List<OrderTicket> tickets = new ArrayList<>();
          rows.forEach(r -> tickets.add(new OrderTicket(r.getLong("ticket_id"), r.getLong("category_id"),
              r.getString("category_name"), r.getBoolean("active"), r.getBoolean("pdf_ready"))));
          return tickets;
        });
  }

  /** The tickets a pending order keeps while its buyer pays. */
  public Future<List<OrderTicket>> keptTickets(long orderId) {
    return pool.preparedQuery(SaleSql.SELECT_KEPT_TICKETS).execute(Tuple.of(orderId))
        .map(rows -> {
          List<OrderTicket> tickets = new ArrayList<>();
          rows.forEach(r -> tickets.add(new OrderTicket(r.getLong("ticket_id"), r.getLong("category_id"),
              r.getString("category_name"), true, false)));
          return tickets;
        });
  }

  /** Where the current PDF of a ticket of this order lies, or null while it is not rendered. */
  public Future<String> ticketPdfPath(long orderId, long ticketId) {
    return pool.preparedQuery(SaleSql.SELECT_TICKET_PDF).execute(Tuple.of(orderId, ticketId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("path"));
  }

  /** A page of the event's orders after {@code afterId}, all of them or those in one status (null: all). */
  public Future<List<OrderSummary>> ordersPage(long eventId, long afterId, int limit, String status) {
    return pool.preparedQuery(SaleSql.SELECT_ORDERS_PAGE).execute(Tuple.of(eventId, afterId, limit, status))
        .map(rows -> {
          List<OrderSummary> orders = new ArrayList<>();
          rows.forEach(r -> orders.add(new OrderSummary(r.getLong("id"), r.getString("code"), r.getString("status"),
              r.getString("buyer_name"), r.getString("buyer_email"), r.getLong("tickets"), r.getLong("total_cents"),
              r.getString("currency"), r.getOffsetDateTime("created_at"))));
          return orders;
        });
  }

  /** What one sweep of lapsed holds did. */
  public record Swept(long reservations, long tickets) {}

  public Future<Swept> sweepExpiredHolds(int batch) {
    return pool.preparedQuery(SaleSql.SWEEP_EXPIRED_HOLDS).execute(Tuple.of(batch))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new Swept(r.getLong("reservations"), r.getLong("tickets"));
        });
  }

  public Future<Integer> deleteOldIdempotencyKeys(int batch) {
    return pool.preparedQuery(SaleSql.DELETE_OLD_IDEMPOTENCY_KEYS).execute(Tuple.of(batch)).map(rows -> rows.rowCount());
  }
}
