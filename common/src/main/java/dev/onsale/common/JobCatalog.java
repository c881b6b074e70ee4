package dev.onsale.common;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The contract between the sale core, which writes jobs into the PostgreSQL outbox (in Java and in
 * its SQL functions), and the workers, which read them from the Redis streams: for every job type
 * ({@link JobTypes}) the queue it travels on and the payload fields its worker reads, and the
 * consumer group the workers read with. Defined here once; {@code JobCatalogTest} (sale-core)
 * checks every job the migrations' SQL functions and the sale core's Java statements write into
 * the outbox against it.
 */
public final class JobCatalog {

  private JobCatalog() {}

  /** The consumer group every worker of a queue reads with; the ops monitor reads its pending list. */
  public static final String GROUP = "workers";

  // The payload fields, as the writers put them and the workers read them.
  public static final String ORDER_ID = "orderId";
  public static final String ORDER_CODE = "orderCode";
  public static final String TICKET_ID = "ticketId";
  public static final String SECRET = "secret";
  public static final String EVENT_ID = "eventId";
  /** {@code tickets.cleanup}: the cancelled tickets as {@code [{id, secret}]} (their old secrets). */
  public static final String TICKETS = "tickets";
  public static final String EXPORT_ID = "exportId";
  public static final String PAYMENT_ID = "paymentId";
  /** {@code payment.refund}: why (e.g. {@code late}, {@code cancelled}, {@code retry}); kept with the payment. */
  public static final String REASON = "reason";

  /**
   * One job type: the queue it is written to and the payload fields its worker needs (a job
   * without one of them fails for good). Writers may put more: a webhook's receivers get the
   * whole payload.
   */
  public record Entry(String type, JobQueue queue, List<String> fields) {}

  private static final Map<String, Entry> ENTRIES = entries(
      new Entry(JobTypes.TICKET_PDF, JobQueue.TICKETS, List.of(ORDER_ID, TICKET_ID, SECRET)),
      new Entry(JobTypes.ORDER_CONFIRMATION, JobQueue.MAIL, List.of(ORDER_ID)),
      new Entry(JobTypes.ORDER_LATE_PAID, JobQueue.MAIL, List.of(ORDER_ID)),
      new Entry(JobTypes.ORDER_LATE_REFUNDED, JobQueue.MAIL, List.of(ORDER_ID)),
      new Entry(JobTypes.ORDER_CREATED, JobQueue.WEBHOOKS, List.of(EVENT_ID)),
      new Entry(JobTypes.ORDER_PAID, JobQueue.WEBHOOKS, List.of(EVENT_ID)),
      new Entry(JobTypes.ORDER_CANCELLED, JobQueue.WEBHOOKS, List.of(EVENT_ID)),
      new Entry(JobTypes.TICKETS_CLEANUP, JobQueue.BACKGROUND, List.of(TICKETS)),
      new Entry(JobTypes.ORDERS_EXPORT, JobQueue.BACKGROUND, List.of(EXPORT_ID, EVENT_ID)),
      new Entry(JobTypes.PAYMENT_RECONCILE, JobQueue.PAYMENTS, List.of(PAYMENT_ID)),
      new Entry(JobTypes.PAYMENT_REFUND, JobQueue.PAYMENTS, List.of(PAYMENT_ID)),
      new Entry(JobTypes.PAYMENT_EXPIRE, JobQueue.PAYMENTS, List.of(PAYMENT_ID)));

  /** Every job type, in the order above. */
  public static Collection<Entry> all() {
    return ENTRIES.values();
  }

  /** The entry of a job type, if it is one. */
  public static Optional<Entry> find(String type) {
    return Optional.ofNullable(ENTRIES.get(type));
  }

  /** The queue a job type is written to. */
  public static JobQueue queueOf(String type) {
    return find(type)
        .orElseThrow(() -> new IllegalArgumentException("unknown job type '" + type + "'"))
        .queue();
  }

  private static Map<String, Entry> entries(Entry... entries) {
    Map<String, Entry> byType = new LinkedHashMap<>();
    for (Entry entry : entries) {
      if (byType.put(entry.type(), entry) != null) {
        throw new IllegalStateException("job type " + entry.type() + " is in the catalog twice");
      }
    }
    return Collections.unmodifiableMap(byType);
  }
}
