package dev.onsale.common;

/**
 * The job types that travel between modules, spelled once: the sale core writes them to the outbox
 * (in Java or in its SQL functions, whose spelling {@code JobCatalogTest} checks against the catalog), and
 * the workers dispatch on them. Each one's queue and the payload fields its worker reads are in
 * {@link JobCatalog}.
 */
public final class JobTypes {

  private JobTypes() {}

  /** Render one ticket's PDF. */
  public static final String TICKET_PDF = "ticket.pdf";
  /** Mail the confirmation with the tickets of an order paid in time. */
  public static final String ORDER_CONFIRMATION = "order.confirmation";
  /** Mail the tickets of an order whose payment came late and was completed. */
  public static final String ORDER_LATE_PAID = "order.late_paid";
  /** Mail that a late payment found no tickets left and is refunded in full. */
  public static final String ORDER_LATE_REFUNDED = "order.late_refunded";
  /** Webhook: an order was placed; its {@code status} says whether it is paid yet. */
  public static final String ORDER_CREATED = "order.created";
  /** Webhook: an order is paid: the sale is final. */
  public static final String ORDER_PAID = "order.paid";
  /** Webhook: an order was cancelled. */
  public static final String ORDER_CANCELLED = "order.cancelled";
  /** Delete the PDFs of a cancelled order's tickets. */
  public static final String TICKETS_CLEANUP = "tickets.cleanup";
  /** Write an event's orders as CSV. */
  public static final String ORDERS_EXPORT = "orders.export";
  /** A payment's window ended: ask the provider what happened and settle it. */
  public static final String PAYMENT_RECONCILE = "payment.reconcile";
  /** Refund a payment in full. */
  public static final String PAYMENT_REFUND = "payment.refund";
  /** End a payment's provider session (another attempt paid, or the order was cancelled). */
  public static final String PAYMENT_EXPIRE = "payment.expire";
}
