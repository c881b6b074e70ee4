package dev.onsale.workers;

import dev.onsale.common.Job;
import dev.onsale.common.JobCatalog;
import dev.onsale.common.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code background} queue. {@code tickets.cleanup} (on cancel) removes the PDFs of the old
 * secrets, so a cancelled ticket's PDF is never served again; a second run finds nothing to do.
 * {@code orders.export} writes an event's orders as CSV ({@link OrderExport}).
 */
public final class BackgroundHandler implements JobHandler {

  public static final String TICKETS_CLEANUP = dev.onsale.common.JobTypes.TICKETS_CLEANUP;

  private final Services services;
  private final MediaStore media;
  private final OrderExport export;

  public BackgroundHandler(Services services) {
    this.services = services;
    this.media = new MediaStore(services.config().mediaDir());
    this.export = new OrderExport(services, media);
  }

  @Override
  public Future<Void> handle(Job job) {
    if (OrderExport.TYPE.equals(job.type())) {
      return export.run(job);
    }
    if (!TICKETS_CLEANUP.equals(job.type())) {
      return Future.failedFuture(JobFailures.permanent("the background queue has no job type " + job.type()));
    }
    JsonArray tickets = new JobPayload(job).requireArray(JobCatalog.TICKETS);
    List<Future<Void>> removals = new ArrayList<>();
    for (int i = 0; i < tickets.size(); i++) {
      if (!(tickets.getValue(i) instanceof JsonObject ticket) || ticket.getValue("id") == null || ticket.getString("secret") == null) {
        return Future.failedFuture(JobFailures.permanent("job " + job.id() + ": tickets[" + i + "] needs id and secret"));
      }
      removals.add(remove(ticket.getLong("id"), ticket.getString("secret")));
    }
    return Future.all(removals).mapEmpty();
  }

  /** Forgets the PDF first (the sale core stops linking it), then deletes the file (and its twin on disk). */
  private Future<Void> remove(long ticketId, String secret) {
    String expected = media.ticketPdf(ticketId, secret).toString();
    return services.pg().preparedQuery(WorkerSql.FORGET_TICKET_PDF).execute(Tuple.of(ticketId, secret)).compose(rows -> {
      List<String> paths = new ArrayList<>();
      paths.add(expected);
      for (Row row : rows) {
        paths.add(row.getString("path"));
      }
      return services.vertx().executeBlocking(() -> {
        for (String path : paths) {
          media.delete(path);
        }
        return null;
      }, false);
    });
  }
}
