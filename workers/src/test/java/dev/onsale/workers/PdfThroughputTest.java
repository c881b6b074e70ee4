package dev.onsale.workers;

import dev.onsale.sale.payment.Payments;
import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEnv;
import dev.onsale.workers.TicketPdfRenderer.TicketSheet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Prints how fast PDFs come out (a figure for the report); asserts only that they all do. */
@DisplayName("Ticket PDF throughput")
class PdfThroughputTest {

  private static final int TICKETS = 200;

  @Test
  @DisplayName("a large order gets every ticket's PDF, and the renderer alone is warm after the first")
  void largeOrder() {
    TicketPdfRenderer renderer = new TicketPdfRenderer();
    long cold = System.nanoTime();
    renderer.warmUp();
    double coldMillis = (System.nanoTime() - cold) / 1e6;
    long warm = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      renderer.render(new TicketSheet("Throughput", "Hall", Instant.now(), ZoneId.of("Europe/Berlin"), "Standing", 4500, "EUR",
          "Buyer " + i, "CODE", "CODE-" + i, i + 1, 200, "secret" + i));
    }
    double warmMillis = (System.nanoTime() - warm) / 1e6 / 200;

    for (String concurrency : new String[] {"2", "8"}) {
      endToEnd(concurrency, coldMillis, warmMillis);
    }
  }

  private void endToEnd(String concurrency, double coldMillis, double warmMillis) {
    try (WorkerFixture fx = WorkerFixture.migrated(TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "workers:tickets", "ONSALE_QUEUE_TICKETS_CONCURRENCY", concurrency)))) {
      await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
      long eventId = fx.createEvent("Throughput Night", "Standing");
      long started = System.nanoTime();
      WorkerFixture.Order order = fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), TICKETS, "Big Buyer", "big@example.org");
      eventually(Duration.ofSeconds(120), "all PDFs", () -> fx.count("SELECT count(*) FROM ticket_pdfs") == TICKETS);
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("PDF: first render %.0f ms, then %.2f ms each on one thread; %d PDFs end to end "
              + "(outbox -> stream -> render -> file -> ticket_pdfs, concurrency %d) in %.2f s = %.0f PDFs/s%n",
          coldMillis, warmMillis, TICKETS, QueueSettings.of(fx.config, dev.onsale.common.JobQueue.TICKETS).concurrency(),
          seconds, TICKETS / seconds);
      assertThat(fx.count("SELECT count(DISTINCT path) FROM ticket_pdfs")).isEqualTo(TICKETS);
      assertThat(order.ticketIds()).hasSize(TICKETS);
    }
  }
}
