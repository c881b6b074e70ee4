package dev.onsale.workers;

import dev.onsale.common.Job;
import dev.onsale.common.JobCatalog;
import dev.onsale.common.Services;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * {@code orders.export}: writes an event's orders as CSV under the media folder and marks the
 * export ready. Running it twice writes the same file again: idempotent.
 */
final class OrderExport {

  static final String TYPE = dev.onsale.common.JobTypes.ORDERS_EXPORT;

  private final Services services;
  private final MediaStore media;

  OrderExport(Services services, MediaStore media) {
    this.services = services;
    this.media = media;
  }

  Future<Void> run(Job job) {
    JobPayload payload = new JobPayload(job);
    UUID exportId = UUID.fromString(payload.requireString(JobCatalog.EXPORT_ID));
    long eventId = payload.requireLong(JobCatalog.EVENT_ID);
    Path target = media.root().resolve("exports").resolve(exportId + ".csv");
    return services.pg().preparedQuery(WorkerSql.SELECT_EXPORT_ORDERS).execute(Tuple.of(eventId))
        .compose(rows -> {
          byte[] csv = csv(rows).getBytes(StandardCharsets.UTF_8);
          return services.vertx().executeBlocking(() -> {
            media.writeAtomically(target, csv);
            return rows.size();
          }, false);
        })
        .compose(count -> services.pg().preparedQuery(WorkerSql.MARK_EXPORT_READY)
            .execute(Tuple.of(exportId, target.toString(), count)))
        .mapEmpty();
  }

  static String csv(RowSet<Row> rows) {
    StringBuilder out = new StringBuilder("code,status,buyer_name,buyer_email,tickets,total_cents,currency,created_at\r\n");
    for (Row row : rows) {
      out.append(cell(row.getString("code"))).append(',')
          .append(cell(row.getString("status"))).append(',')
          .append(cell(row.getString("buyer_name"))).append(',')
          .append(cell(row.getString("buyer_email"))).append(',')
          .append(row.getLong("tickets")).append(',')
          .append(row.getLong("total_cents")).append(',')
          .append(cell(row.getString("currency"))).append(',')
          .append(cell(row.getOffsetDateTime("created_at").toInstant().toString())).append("\r\n");
    }
    return out.toString();
  }

  /**
   * RFC 4180 quoting, and a leading quote for text a spreadsheet would run as a formula: buyer
   * names are the buyers' input.
   */
  static String cell(String value) {
    String text = value == null ? "" : value;
    if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      text = "'" + text;
    }
    if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
      text = "\"" + text.replace("\"", "\"\"") + "\"";
    }
    return text;
  }
}
