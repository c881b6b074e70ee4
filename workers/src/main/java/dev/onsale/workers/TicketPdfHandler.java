package dev.onsale.workers;

import dev.onsale.common.Job;
import dev.onsale.common.JobCatalog;
import dev.onsale.common.Services;
import dev.onsale.workers.TicketPdfRenderer.TicketSheet;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.ZoneId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tickets} queue, job {@code ticket.pdf}: renders one ticket's PDF, stores it and records it
 * in {@code ticket_pdfs}. Idempotent on (ticket, secret): a PDF already recorded is not rendered
 * again; a cancelled order or a secret no longer current renders nothing.
 */
public final class TicketPdfHandler implements JobHandler {

  private static final Logger LOG = LoggerFactory.getLogger(TicketPdfHandler.class);

  public static final String TYPE = dev.onsale.common.JobTypes.TICKET_PDF;

  private final Services services;
  private final TicketPdfRenderer renderer = new TicketPdfRenderer();
  private final MediaStore media;

  public TicketPdfHandler(Services services) {
    this.services = services;
    this.media = new MediaStore(services.config().mediaDir());
  }

  @Override
  public Future<Void> warmUp() {
    return services.vertx().executeBlocking(() -> {
      renderer.warmUp();
      return null;
    }, false);
  }

  @Override
  public Future<Void> handle(Job job) {
    if (!TYPE.equals(job.type())) {
      return Future.failedFuture(JobFailures.permanent("the tickets queue has no job type " + job.type()));
    }
    JobPayload payload = new JobPayload(job);
    long orderId = payload.requireLong(JobCatalog.ORDER_ID);
    long ticketId = payload.requireLong(JobCatalog.TICKET_ID);
    String secret = payload.requireString(JobCatalog.SECRET);
    return services.pg().preparedQuery(WorkerSql.SELECT_TICKET).execute(Tuple.of(orderId, ticketId, secret))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(JobFailures.notReady("order " + orderId + " has no ticket " + ticketId + " (yet)"));
          }
          Row row = rows.iterator().next();
          if (row.getBoolean("rendered")) {
            return Future.succeededFuture(); // done before: never twice for one ticket and secret
          }
          if (!stillValid(row, secret)) {
            LOG.info("ticket {}: order cancelled or secret replaced, no PDF", ticketId);
            return Future.succeededFuture();
          }
          return renderAndStore(ticketId, secret, sheet(row, ticketId, secret));
        });
  }

  private static boolean stillValid(Row row, String secret) {
    return "paid".equals(row.getString("status"))
        && row.getBoolean("active")
        && secret.equals(row.getString("sold_secret"))
        && secret.equals(row.getString("current_secret"));
  }

  private static TicketSheet sheet(Row row, long ticketId, String secret) {
    return new TicketSheet(
        row.getString("event_name"),
        row.getString("venue"),
        row.getOffsetDateTime("starts_at").toInstant(),
        ZoneId.of(row.getString("time_zone")),
        row.getString("category"),
        row.getLong("unit_cents"),
        row.getString("currency"),
        row.getString("buyer_name"),
        row.getString("code"),
        row.getString("code") + "-" + ticketId,
        row.getLong("number").intValue(),
        row.getLong("count").intValue(),
        secret);
  }

  private Future<Void> renderAndStore(long ticketId, String secret, TicketSheet sheet) {
    Path target = media.ticketPdf(ticketId, secret);
    return services.vertx().executeBlocking(() -> {
          byte[] pdf = renderer.render(sheet);
          media.writeAtomically(target, pdf);
          return pdf.length;
        }, false)
        .compose(bytes -> services.pg().preparedQuery(WorkerSql.RECORD_PDF)
            .execute(Tuple.of(ticketId, secret, target.toString(), bytes)))
        .mapEmpty();
  }
}
