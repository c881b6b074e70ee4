package dev.onsale.workers;

import dev.onsale.common.Job;
import dev.onsale.common.JobCatalog;
import dev.onsale.common.JobTypes;
import dev.onsale.common.LocalTimes;
import dev.onsale.common.Services;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.mail.MailAttachment;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code mail} queue: {@code order.confirmation} (and {@code order.late_paid}, a payment that came
 * after its window and still found tickets) mails the buyer their tickets as PDF attachments, once
 * every PDF of the order exists (until then the job is retried with back-off);
 * {@code order.late_refunded} tells a buyer whose late payment found no tickets that all of it is
 * refunded.
 *
 * <p>At most once per order: the {@code mail_log} row is inserted in a transaction held open
 * while the mail is sent and committed only after the SMTP server accepted it. A concurrent
 * duplicate waits on that row's key and then finds it; a failed send rolls it back so a retry
 * sends. (Only a crash between the server's acceptance and the commit can send twice.)
 */
public final class ConfirmationMailHandler implements JobHandler {

  public static final String TYPE = JobTypes.ORDER_CONFIRMATION;
  private static final Set<String> TYPES = Set.of(JobTypes.ORDER_CONFIRMATION, JobTypes.ORDER_LATE_PAID,
      JobTypes.ORDER_LATE_REFUNDED);

  private final Services services;
  private final MailClient mail;
  private final String from;
  private final long sendTimeoutMillis;

  public ConfirmationMailHandler(Services services, QueueSettings settings, MailSettings mailSettings) {
    this.services = services;
    this.from = mailSettings.from();
    // Inside the job's own limit, so the transaction always ends before the job is given up.
    this.sendTimeoutMillis = Math.max(500, settings.timeoutMillis() - 500);
    MailConfig config = new MailConfig()
        .setHostname(services.config().smtpHost())
        .setPort(services.config().smtpPort())
        .setStarttls(mailSettings.startTls())
        .setUsername(mailSettings.username())
        .setPassword(mailSettings.password())
        .setMaxPoolSize(settings.concurrency())
        .setKeepAlive(true);
    config.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, sendTimeoutMillis));
    config.setIdleTimeout((int) Math.max(1, sendTimeoutMillis / 1000));
    config.setIdleTimeoutUnit(TimeUnit.SECONDS);
    this.mail = MailClient.create(services.vertx(), config);
  }

  @Override
  public Future<Void> close() {
    return mail.close();
  }

  @Override
  public Future<Void> handle(Job job) {
    if (!TYPES.contains(job.type())) {
      return Future.failedFuture(JobFailures.permanent("the mail queue has no job type " + job.type()));
    }
    String kind = job.type();
    long orderId = new JobPayload(job).requireLong(JobCatalog.ORDER_ID);
    return services.pg().preparedQuery(WorkerSql.SELECT_MAIL_ORDER).execute(Tuple.of(orderId, kind)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(JobFailures.notReady("order " + orderId + " not found (yet)"));
      }
      Row order = rows.iterator().next();
      if (order.getBoolean("sent")) {
        return Future.succeededFuture();
      }
      if (JobTypes.ORDER_LATE_REFUNDED.equals(kind)) {
        return sendOnce(orderId, kind, lateRefundMessage(order));
      }
      if (!"paid".equals(order.getString("status"))) {
        return Future.succeededFuture(); // tickets are mailed only for a paid order (a cancelled one has none)
      }
      return attachments(orderId).compose(files -> sendOnce(orderId, kind, message(order, files, kind)));
    });
  }

  private Future<List<MailAttachment>> attachments(long orderId) {
    return services.pg().preparedQuery(WorkerSql.SELECT_MAIL_PDFS).execute(Tuple.of(orderId)).compose(rows -> {
      List<Future<MailAttachment>> files = new ArrayList<>();
      for (Row row : rows) {
        long ticketId = row.getLong("ticket_id");
        String path = row.getString("path");
        if (path == null) {
          return Future.failedFuture(JobFailures.notReady("order " + orderId + ": the PDF of ticket " + ticketId + " is not ready"));
        }
        files.add(services.vertx().fileSystem().readFile(path).map(content -> attachment(ticketId, content)));
      }
      return Future.all(files).map(all -> files.stream().map(Future::result).toList());
    });
  }

  private static MailAttachment attachment(long ticketId, Buffer content) {
    return MailAttachment.create()
        .setName("ticket-" + ticketId + ".pdf")
        .setContentType("application/pdf")
        .setDisposition("attachment")
        .setData(content);
  }

  private String orderLink(Row order) {
    return services.config().publicUrl() + "/orders/" + order.getString("code")
        + "?secret=" + URLEncoder.encode(order.getString("secret"), StandardCharsets.UTF_8);
  }

  private MailMessage lateRefundMessage(Row order) {
    String code = order.getString("code");
    String text = "Hello " + order.getString("buyer_name") + ",\n\n"
        + "your payment for order " + code + " (" + order.getString("event_name") + ") reached us after the time to pay\n"
        + "had run out, and the tickets had gone back on sale and were sold. We are refunding all of it;\n"
        + "your bank shows it within a few days.\n\n"
        + "Your order: " + orderLink(order) + "\n";
    return new MailMessage()
        .setFrom(from)
        .setTo(order.getString("buyer_email"))
        .setSubject("Your payment for " + order.getString("event_name") + " is refunded (order " + code + ")")
        .setText(text);
  }

  private MailMessage message(Row order, List<MailAttachment> files, String kind) {
    String code = order.getString("code");
    String link = orderLink(order);
    String text = "Hello " + order.getString("buyer_name") + ",\n\n"
        + (JobTypes.ORDER_LATE_PAID.equals(kind)
            ? "your payment for order " + code + " reached us after the time to pay had run out, but there were\n"
                + "still tickets: your order for " + order.getString("event_name") + " is complete.\n"
            : "thank you for your order " + code + " for " + order.getString("event_name") + ".\n")
        + "\nWhen:  " + LocalTimes.format(order.getOffsetDateTime("starts_at").toInstant(), ZoneId.of(order.getString("time_zone")))
        + "\nWhere: " + order.getString("venue") + "\n\n"
        + "Your " + (files.size() == 1 ? "ticket is" : files.size() + " tickets are") + " attached as PDF.\n\n"
        + "Your order: " + link + "\n";
    return new MailMessage()
        .setFrom(from)
        .setTo(order.getString("buyer_email"))
        .setSubject("Your tickets for " + order.getString("event_name") + " (order " + code + ")")
        .setText(text)
        .setAttachment(files);
  }

  private Future<Void> sendOnce(long orderId, String kind, MailMessage message) {
    return services.pg().withTransaction(conn -> conn.preparedQuery(WorkerSql.CLAIM_MAIL).execute(Tuple.of(orderId, kind))
        .compose(claimed -> claimed.rowCount() == 0
            ? Future.succeededFuture() // sent by another try meanwhile
            : mail.sendMail(message).timeout(sendTimeoutMillis, TimeUnit.MILLISECONDS).mapEmpty()));
  }
}
