package dev.onsale.workers;

import dev.onsale.sale.payment.Payments;
import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.TestEnv;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Queue isolation: a stalled mail server does not hold up ticket PDFs")
class QueueIsolationTest {

  private static final int MAIL_BACKLOG = 10_000;

  private StalledSmtp smtp;
  private WorkerFixture fx;

  @BeforeEach
  void start() throws IOException {
    smtp = new StalledSmtp();
    fx = WorkerFixture.migrated(TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "workers",
        "ONSALE_SMTP_PORT", String.valueOf(smtp.port()),
        "ONSALE_QUEUE_MAIL_CONCURRENCY", "4",
        "ONSALE_QUEUE_MAIL_TIMEOUT_SECONDS", "2",
        "ONSALE_QUEUE_MAIL_DRAIN_MS", "100")));
  }

  @AfterEach
  void stop() {
    fx.close();
    smtp.close();
  }

  @Test
  @DisplayName("with 10,000 mail jobs queued behind an SMTP server that never answers, new orders still get their PDFs")
  void ticketsFlowWhileMailIsStuck() {
    long eventId = fx.createEvent("Isolation Festival", "Standing");
    long categoryId = fx.categoryId(eventId, "Standing");
    queueConfirmationMails(eventId, MAIL_BACKLOG);
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
    String mailStream = fx.services.keys().stream(JobQueue.MAIL);
    eventually(Duration.ofSeconds(60), "the mail backlog relayed", () -> fx.count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL") == 0);
    eventually(Duration.ofSeconds(10), "the mail worker stuck on the stalled server", () -> smtp.connections() >= 1);

    long started = System.nanoTime();
    List<WorkerFixture.Order> orders = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      orders.add(fx.createOrder(eventId, categoryId, 2, "Buyer " + i, "buyer" + i + "@example.org"));
    }
    eventually(Duration.ofSeconds(30), "PDFs of the 5 new orders", () ->
        fx.count("SELECT count(*) FROM ticket_pdfs p JOIN order_tickets ot ON ot.ticket_id = p.ticket_id WHERE ot.order_id = ANY($1)",
            (Object) orders.stream().map(WorkerFixture.Order::id).toArray(Long[]::new)) == 10);
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("ISOLATION: 10 PDFs for 5 new orders in %d ms behind %d stuck mail jobs (mail stream length %d)%n",
        millis, MAIL_BACKLOG, fx.xlen(mailStream));

    assertThat(fx.count("SELECT count(*) FROM mail_log")).isZero();
    assertThat(fx.xlen(mailStream)).isGreaterThan(MAIL_BACKLOG - 100);
  }

  /** Orders without tickets (their mails need no PDF), each with its confirmation-mail job. */
  private void queueConfirmationMails(long eventId, int count) {
    fx.sql("""
        INSERT INTO reservations (id, event_id, status, expires_at, ticket_count)
        SELECT md5('r' || n)::uuid, $1, 'ordered', now(), 0 FROM generate_series(1, $2) n""", Tuple.of(eventId, count));
    fx.sql("""
        INSERT INTO orders (code, secret, event_id, reservation_id, buyer_name, buyer_email, total_cents, currency,
                            status, paid_at, ticket_count)
        SELECT 'BULK' || n, md5('s' || n), $1, md5('r' || n)::uuid, 'Bulk Buyer', 'bulk' || n || '@example.org', 0, 'EUR',
               'paid', now(), 0
        FROM generate_series(1, $2) n""", Tuple.of(eventId, count));
    fx.sql("""
        INSERT INTO outbox (queue, type, payload)
        SELECT 'mail', 'order.confirmation', jsonb_build_object('orderId', id, 'orderCode', code)
        FROM orders WHERE code LIKE 'BULK%' ORDER BY id""", Tuple.tuple());
  }

  /** An SMTP port that accepts connections and never says a word. */
  static final class StalledSmtp implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    StalledSmtp() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            held.add(server.accept());
          } catch (IOException e) {
            return;
          }
        }
      }, "stalled-smtp");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int connections() {
      return held.size();
    }

    @Override
    public void close() {
      try {
        server.close();
        for (Socket socket : held) {
          socket.close();
        }
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
