package dev.onsale.workers;

import static dev.onsale.common.testing.TestEnv.await;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Services;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestServices;
import dev.onsale.common.testing.TestSmtp;
import dev.onsale.sale.Migrations;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Test fixture: an Onsale instance's shared clients on a fresh database and key prefix, and orders
 * written straight into the schema the way the sale core's order transaction writes them (rows and
 * outbox jobs, then NOTIFY).
 */
final class WorkerFixture implements AutoCloseable {

  final OnsaleConfig config;
  final Vertx vertx;
  final Services services;
  /** The mail server this instance sends to, when it has one ({@link #withSmtp}); closed with it. */
  TestSmtp smtp;

  private WorkerFixture(OnsaleConfig config) {
    this.config = config;
    this.vertx = Vertx.vertx();
    this.services = TestServices.of(vertx, config);
  }

  /** A fresh, migrated database with the given config; call from a test thread. */
  static WorkerFixture migrated(OnsaleConfig config) {
    Migrations.migrate(config.pgUrl());
    return new WorkerFixture(config);
  }

  /**
   * A fresh, migrated database whose instance sends its mail to a new SMTP server: the set-up of
   * the tests that read the mails the workers send.
   */
  static WorkerFixture withSmtp(Map<String, String> overrides) {
    TestSmtp smtp = TestSmtp.listening();
    try {
      Map<String, String> settings = new HashMap<>(overrides);
      settings.putAll(smtp.settings());
      WorkerFixture fixture = migrated(TestEnv.freshConfig(settings));
      fixture.smtp = smtp;
      return fixture;
    } catch (RuntimeException | Error e) {
      smtp.close();
      throw e;
    }
  }

  /** Another "instance" (its own Vert.x and clients) on the same database and Redis. */
  WorkerFixture sibling(OnsaleConfig siblingConfig) {
    return new WorkerFixture(siblingConfig);
  }

  /** The same clients with some settings changed. */
  Services servicesWith(java.util.Map<String, String> overrides) {
    return TestServices.with(services, overrides);
  }

  long createEvent(String name, String... categories) {
    Row event = one("""
        INSERT INTO events (slug, name, venue, starts_at, queue_opens_at, sale_starts_at, sale_ends_at,
          admission_rate_per_minute, max_active_shoppers, max_tickets_per_order, hold_seconds, waiting_room, pre_queue, time_zone)
        VALUES ($1, $2, 'Olympiahalle, Munich', '2026-12-31T20:00:00Z', now(), now(), now() + interval '1 day',
          600, 100, 10, 600, false, 'fifo', 'Europe/Berlin') RETURNING id""", Tuple.of("e-" + UUID.randomUUID(), name));
    long eventId = event.getLong("id");
    int position = 0;
    for (String category : categories) {
      sql("INSERT INTO categories (event_id, name, price_cents, currency, capacity, position) VALUES ($1, $2, 4900, 'EUR', 1000, $3)",
          Tuple.of(eventId, category, position++));
    }
    return eventId;
  }

  long categoryId(long eventId, String name) {
    return one("SELECT id FROM categories WHERE event_id = $1 AND name = $2", Tuple.of(eventId, name)).getLong("id");
  }

  record Order(long id, String code, String secret, long eventId, List<Long> ticketIds, List<String> ticketSecrets) {}

  /** An order of {@code tickets} tickets with its outbox jobs (PDF per ticket, mail, webhook). */
  Order createOrder(long eventId, long categoryId, int tickets, String buyerName, String buyerEmail) {
    return createOrder(eventId, categoryId, tickets, buyerName, buyerEmail, true);
  }

  Order createOrder(long eventId, long categoryId, int tickets, String buyerName, String buyerEmail, boolean withJobs) {
    UUID reservation = UUID.randomUUID();
    String code = "OS" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toUpperCase();
    String orderSecret = UUID.randomUUID().toString().replace("-", "");
    return await(services.pg().withTransaction(conn -> conn.preparedQuery(
                "INSERT INTO reservations (id, event_id, status, expires_at, ticket_count) VALUES ($1, $2, 'ordered', now(), $3)")
            .execute(Tuple.of(reservation, eventId, tickets))
        .compose(ignored -> conn.preparedQuery("""
                INSERT INTO tickets (event_id, category_id, status, reservation_id)
                SELECT $1, $2, 'sold', $3 FROM generate_series(1, $4) RETURNING id, secret""")
            .execute(Tuple.of(eventId, categoryId, reservation, tickets)))
        .compose(ticketRows -> conn.preparedQuery("""
                INSERT INTO orders (code, secret, event_id, reservation_id, buyer_name, buyer_email, total_cents, currency,
                                    status, paid_at, ticket_count)
                VALUES ($1, $2, $3, $4, $5, $6, $7, 'EUR', 'paid', now(), $8) RETURNING id""")
            .execute(Tuple.of(code, orderSecret, eventId, reservation, buyerName, buyerEmail, 4900L * tickets, tickets))
            .compose(orderRows -> {
              long orderId = orderRows.iterator().next().getLong("id");
              List<Long> ids = new ArrayList<>();
              List<String> secrets = new ArrayList<>();
              ticketRows.forEach(r -> {
                ids.add(r.getLong("id"));
                secrets.add(r.getString("secret"));
              });
              Order order = new Order(orderId, code, orderSecret, eventId, ids, secrets);
              return conn.preparedQuery("UPDATE tickets SET order_id = $1 WHERE reservation_id = $2").execute(Tuple.of(orderId, reservation))
                  .compose(x -> conn.preparedQuery("""
                          INSERT INTO order_tickets (order_id, ticket_id, category_id, secret)
                          SELECT $1, id, category_id, secret FROM tickets WHERE reservation_id = $2""")
                      .execute(Tuple.of(orderId, reservation)))
                  .compose(x -> conn.preparedQuery("INSERT INTO order_lines (order_id, category_id, quantity, unit_cents) VALUES ($1, $2, $3, 4900)")
                      .execute(Tuple.of(orderId, categoryId, tickets)))
                  .compose(x -> withJobs ? writeJobs(conn, order, categoryId) : io.vertx.core.Future.succeededFuture())
                  .map(order);
            }))));
  }

  private io.vertx.core.Future<Void> writeJobs(io.vertx.sqlclient.SqlConnection conn, Order order, long categoryId) {
    List<Tuple> jobs = new ArrayList<>();
    JsonArray tickets = new JsonArray();
    for (int i = 0; i < order.ticketIds().size(); i++) {
      jobs.add(Tuple.of("tickets", "ticket.pdf", new JsonObject().put("orderId", order.id()).put("orderCode", order.code())
          .put("ticketId", order.ticketIds().get(i)).put("secret", order.ticketSecrets().get(i))));
      tickets.add(new JsonObject().put("id", order.ticketIds().get(i)).put("categoryId", categoryId));
    }
    jobs.add(Tuple.of("mail", "order.confirmation", new JsonObject().put("orderId", order.id()).put("orderCode", order.code())));
    jobs.add(Tuple.of("webhooks", "order.created", new JsonObject().put("eventId", order.eventId()).put("orderId", order.id())
        .put("orderCode", order.code()).put("status", "paid").put("tickets", tickets)));
    return conn.preparedQuery("INSERT INTO outbox (queue, type, payload) VALUES ($1, $2, $3)").executeBatch(jobs)
        .compose(x -> conn.query("NOTIFY " + OutboxRelayVerticle.CHANNEL).execute())
        .mapEmpty();
  }

  /** Writes one outbox job (as the sale core would) and notifies the relay. */
  void enqueue(String queue, String type, JsonObject payload) {
    await(services.pg().withTransaction(conn -> conn.preparedQuery("INSERT INTO outbox (queue, type, payload) VALUES ($1, $2, $3)")
        .execute(Tuple.of(queue, type, payload))
        .compose(x -> conn.query("NOTIFY " + OutboxRelayVerticle.CHANNEL).execute())));
  }

  long count(String sql, Object... params) {
    return one(sql, Tuple.wrap(params)).getLong(0);
  }

  Row one(String sql, Tuple params) {
    return await(services.pg().preparedQuery(sql).execute(params)).iterator().next();
  }

  void sql(String sql, Tuple params) {
    await(services.pg().preparedQuery(sql).execute(params));
  }

  Response redis(Request request) {
    return await(services.redis().send(request));
  }

  /** Deletes the relay's per-row append marks, as a Redis that lost its data would have. */
  void forgetAppendedMarks() {
    for (Response key : redis(Request.cmd(Command.KEYS).arg(services.keys().prefix() + "{jobs:*}:appended:*"))) {
      redis(Request.cmd(Command.DEL).arg(key.toString()));
    }
  }

  long xlen(String key) {
    return redis(Request.cmd(Command.XLEN).arg(key)).toLong();
  }

  @Override
  public void close() {
    // Undeploy first so workers drain while the shared clients are still open.
    try {
      await(io.vertx.core.Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
          .transform(ignored -> vertx.close()));
    } finally {
      if (smtp != null) {
        smtp.close();
      }
    }
  }
}
