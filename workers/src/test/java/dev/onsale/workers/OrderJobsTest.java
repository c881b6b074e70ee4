package dev.onsale.workers;

import dev.onsale.sale.payment.Payments;
import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.TestEnv;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Order jobs: ticket PDFs, the confirmation mail and clean-up on cancel")
class OrderJobsTest {

  private GreenMail smtp;
  private WorkerFixture fx;

  @BeforeEach
  void start() {
    fx = WorkerFixture.withSmtp(Map.of(
        "ONSALE_ROLES", "workers",
        "ONSALE_QUEUE_MAIL_BACKOFF_MS", "100",
        "ONSALE_QUEUE_MAIL_BACKOFF_MAX_SECONDS", "1",
        "ONSALE_PUBLIC_URL", "https://tickets.example.org"));
    smtp = fx.smtp;
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  @DisplayName("an order gets one PDF per ticket, with the local time, price, order code and its number in the order, and one mail with the PDFs attached")
  void orderLeadsToPdfsAndOneMail() throws Exception {
    long eventId = fx.createEvent("Spring Concert", "Standing", "Seated");
    WorkerFixture.Order order = fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), 3, "Ada Lovelace", "ada@example.org");

    eventually(Duration.ofSeconds(30), "three ticket PDFs", () -> pdfRows(order) == 3);
    for (int i = 0; i < 3; i++) {
      long ticketId = order.ticketIds().get(i);
      Row pdf = fx.one("SELECT path, bytes FROM ticket_pdfs WHERE ticket_id = $1 AND secret = $2",
          Tuple.of(ticketId, order.ticketSecrets().get(i)));
      Path file = Path.of(pdf.getString("path"));
      assertThat(file).exists().startsWith(Path.of(fx.config.mediaDir()).toAbsolutePath());
      assertThat(Files.size(file)).isEqualTo(pdf.getInteger("bytes").longValue());
      String text = pdfText(Files.readAllBytes(file));
      // The event starts at 20:00 UTC on 31 Dec 2026; its zone is Europe/Berlin.
      assertThat(text).contains("Spring Concert", "Olympiahalle, Munich", "Thu 31 Dec 2026, 21:00 CET (Europe/Berlin)",
          "Standing", "49.00 EUR", "Ada Lovelace", order.code(), order.code() + "-" + ticketId, "Ticket " + (i + 1) + " of 3");
      assertThat(text).doesNotContain(order.ticketSecrets().get(i)); // the secret is only in the QR code
    }

    assertThat(smtp.waitForIncomingEmail(30_000, 1)).isTrue();
    MimeMessage mail = smtp.getReceivedMessages()[0];
    assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ada@example.org");
    assertThat(mail.getSubject()).contains("Spring Concert", order.code());
    assertThat(mailText(mail)).contains("When:  Thu 31 Dec 2026, 21:00 CET (Europe/Berlin)", "Where: Olympiahalle, Munich");
    List<byte[]> attachments = pdfAttachments(mail);
    assertThat(attachments).hasSize(3);
    for (byte[] attachment : attachments) {
      assertThat(pdfText(attachment)).contains("Spring Concert", "Ada Lovelace");
    }
    eventually(Duration.ofSeconds(10), "the mail recorded as sent",
        () -> fx.count("SELECT count(*) FROM mail_log WHERE order_id = $1", order.id()) == 1);
    // Marked relayed after the append's reply: a job can be on its stream a moment before its mark.
    eventually(Duration.ofSeconds(5), "every job marked relayed",
        () -> fx.count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL") == 0);
  }

  @Test
  @DisplayName("the same jobs delivered again create no second PDF and no second mail")
  void repeatedJobsHaveTheirEffectOnce() throws Exception {
    long eventId = fx.createEvent("Repeat Show", "Standing");
    WorkerFixture.Order order = fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), 2, "Grace Hopper", "grace@example.org");
    assertThat(smtp.waitForIncomingEmail(30_000, 1)).isTrue();
    eventually(Duration.ofSeconds(10), "PDFs recorded", () -> pdfRows(order) == 2);
    double before = succeeded(JobQueue.TICKETS);

    // Relay every job of the order a second time, as after a relay crash before its commit in a
    // Redis that lost the relay's append marks meanwhile (with them, the relay appends each row once).
    fx.forgetAppendedMarks();
    fx.sql("UPDATE outbox SET relayed_at = NULL", Tuple.tuple());
    fx.enqueue("background", "noop.trigger", new JsonObject()); // a NOTIFY; dead-letters (unknown type), harmlessly
    eventually(Duration.ofSeconds(30), "the repeated PDF jobs processed", () -> succeeded(JobQueue.TICKETS) >= before + 2);
    eventually(Duration.ofSeconds(30), "the repeated mail job processed", () -> succeeded(JobQueue.MAIL) >= 2);

    assertThat(pdfRows(order)).isEqualTo(2);
    assertThat(pdfFiles()).hasSize(2);
    Thread.sleep(300);
    assertThat(smtp.getReceivedMessages()).hasSize(1);
  }

  @Test
  @DisplayName("cancelling removes the cancelled tickets' PDFs, and a PDF job for an old secret renders nothing")
  void cleanupOnCancel() {
    long eventId = fx.createEvent("Cancelled Gig", "Standing");
    WorkerFixture.Order order = fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), 2, "Alan Turing", "alan@example.org");
    eventually(Duration.ofSeconds(30), "PDFs", () -> pdfRows(order) == 2);
    List<Path> files = pdfFiles();
    assertThat(files).hasSize(2);

    // What the sale core's cancel does: order cancelled, tickets back on sale with new secrets.
    fx.sql("UPDATE orders SET status = 'cancelled', cancelled_at = now() WHERE id = $1", Tuple.of(order.id()));
    fx.sql("UPDATE order_tickets SET active = false WHERE order_id = $1", Tuple.of(order.id()));
    fx.sql("UPDATE tickets SET status = 'open', order_id = NULL, reservation_id = NULL, secret = md5(random()::text) WHERE order_id = $1",
        Tuple.of(order.id()));
    JsonArray tickets = new JsonArray();
    for (int i = 0; i < 2; i++) {
      tickets.add(new JsonObject().put("id", order.ticketIds().get(i)).put("secret", order.ticketSecrets().get(i)));
    }
    fx.enqueue("background", "tickets.cleanup", new JsonObject().put("orderId", order.id()).put("tickets", tickets));
    eventually(Duration.ofSeconds(30), "PDFs of the cancelled order removed", () -> pdfRows(order) == 0 && pdfFiles().isEmpty());

    // A late PDF job for the cancelled ticket must not bring the PDF back.
    double before = succeeded(JobQueue.TICKETS);
    fx.enqueue("tickets", "ticket.pdf", new JsonObject().put("orderId", order.id()).put("orderCode", order.code())
        .put("ticketId", order.ticketIds().get(0)).put("secret", order.ticketSecrets().get(0)));
    eventually(Duration.ofSeconds(30), "late PDF job processed", () -> succeeded(JobQueue.TICKETS) > before);
    assertThat(pdfRows(order)).isZero();
    assertThat(pdfFiles()).isEmpty();
  }

  @Test
  @DisplayName("housekeeping deletes idempotency keys older than a day and PDFs nobody can use once the folder is too big")
  void housekeeping() throws Exception {
    long eventId = fx.createEvent("Housekeeping Night", "Standing");
    WorkerFixture.Order keep = fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), 1, "Keep Me", "keep@example.org");
    WorkerFixture.Order gone = fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), 1, "Gone Soon", "gone@example.org");
    eventually(Duration.ofSeconds(30), "PDFs", () -> pdfRows(keep) == 1 && pdfRows(gone) == 1);
    fx.sql("UPDATE orders SET status = 'cancelled' WHERE id = $1", Tuple.of(gone.id()));
    Path stray = Path.of(fx.config.mediaDir(), "tickets", "999999-unknown.pdf");
    Files.write(stray, new byte[10_000]);
    fx.sql("INSERT INTO idempotency_keys (scope, key, created_at) VALUES ('orders', 'old', now() - interval '25 hours'), ('orders', 'new', now())",
        Tuple.tuple());

    HousekeepingVerticle housekeeping = new HousekeepingVerticle(fx.servicesWith(Map.of("ONSALE_MEDIA_MAX_BYTES", "1")));
    await(housekeeping.runOnce());

    assertThat(fx.count("SELECT count(*) FROM idempotency_keys")).isEqualTo(1);
    assertThat(stray).doesNotExist();
    assertThat(pdfRows(gone)).isZero();
    assertThat(pdfRows(keep)).isEqualTo(1);
    assertThat(pdfFiles()).hasSize(1);
  }

  private long pdfRows(WorkerFixture.Order order) {
    return fx.count("SELECT count(*) FROM ticket_pdfs WHERE ticket_id = ANY($1)", (Object) order.ticketIds().toArray(Long[]::new));
  }

  private List<Path> pdfFiles() {
    Path dir = Path.of(fx.config.mediaDir(), "tickets");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".pdf") && !f.getFileName().toString().startsWith(".tmp-")).toList();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private double succeeded(JobQueue queue) {
    Counter counter = fx.services.meters().find("onsale.jobs.processed")
        .tags("queue", queue.streamName(), "outcome", "succeeded").counter();
    return counter == null ? 0 : counter.count();
  }

  /** The text of a PDF as another program reads it (PDFBox, not the library that wrote it). */
  static String pdfText(byte[] pdf) throws Exception {
    try (PDDocument document = Loader.loadPDF(pdf)) {
      return new PDFTextStripper().getText(document);
    }
  }

  /** The plain-text part of a mail. */
  static String mailText(Part part) throws Exception {
    if (part.isMimeType("text/plain")) {
      return part.getContent().toString();
    }
    if (part.isMimeType("multipart/*")) {
      Multipart multipart = (Multipart) part.getContent();
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < multipart.getCount(); i++) {
        text.append(mailText(multipart.getBodyPart(i)));
      }
      return text.toString();
    }
    return "";
  }

  static List<byte[]> pdfAttachments(MimeMessage mail) throws Exception {
    List<byte[]> found = new ArrayList<>();
    collect(mail, found);
    return found;
  }

  private static void collect(Part part, List<byte[]> found) throws Exception {
    if (part.isMimeType("multipart/*")) {
      Multipart multipart = (Multipart) part.getContent();
      for (int i = 0; i < multipart.getCount(); i++) {
        BodyPart child = multipart.getBodyPart(i);
        collect(child, found);
      }
    } else if (part.isMimeType("application/pdf")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      part.getInputStream().transferTo(out);
      found.add(out.toByteArray());
    }
  }
}
