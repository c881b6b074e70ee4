package dev.onsale.common;

/**
 * The job types that travel between modules, spelled once: the sale core writes them to the outbox
 * (in Java or in its SQL functions, whose spelling {@code JobTypesTest} checks against these), and
 * the workers dispatch on them.
 */
public final class JobTypes {

  private JobTypes() {}

  /** {@code tickets}: render one ticket's PDF. Payload: orderId, orderCode, ticketId, secret. */
  public static final String TICKET_PDF = "ticket.pdf";
  /** {@code mail}: the confirmation with the tickets of an order paid in time. Payload: orderId, orderCode. */
  public static final String ORDER_CONFIRMATION = "order.confirmation";
  /** {@code mail}: the tickets of an order whose payment came late and was completed. */
  public static final String ORDER_LATE_PAID = "order.late_paid";
  /** {@code mail}: a late payment found no tickets left and is refunded in full. */
  public static final String ORDER_LATE_REFUNDED = "order.late_refunded";
  /** {@code webhooks}: an order was placed; its {@code status} says whether it is paid yet. */
  public static final String ORDER_CREATED = "order.created";
  /** {@code webhooks}: an order is paid: the sale is final. */
  public static final String ORDER_PAID = "order.paid";
  /** {@code webhooks}: an order was cancelled. */
  public static final String ORDER_CANCELLED = "order.cancelled";
  /** {@code background}: delete the PDFs of a cancelled order's tickets. Payload: orderId, tickets [{id, secret}]. */
  public static final String TICKETS_CLEANUP = "tickets.cleanup";
  /** {@code background}: write an event's orders as CSV. Payload: exportId, eventId. */
  public static final String ORDERS_EXPORT = "orders.export";
  /** {@code payments}: a payment's window ended: ask the provider what happened and settle it. Payload: paymentId. */
  public static final String PAYMENT_RECONCILE = "payment.reconcile";
  /** {@code payments}: refund a payment in full. Payload: paymentId, reason. */
  public static final String PAYMENT_REFUND = "payment.refund";
  /** {@code payments}: end a payment's provider session (another attempt paid, or the order was cancelled). */
  public static final String PAYMENT_EXPIRE = "payment.expire";
}
