package dev.onsale.sale;

import dev.onsale.common.JobTypes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sale's invariants, checked against the database at any time: an operator's answer to "did we
 * oversell or lose anything?". Each check counts its violations and shows a few of them.
 */
public final class InvariantChecker {

  private static final Map<String, String> CHECKS = new LinkedHashMap<>();

  static {
    CHECKS.put("no ticket in two orders", """
        SELECT ticket_id::text FROM order_tickets WHERE active GROUP BY ticket_id HAVING count(*) > 1""");
    CHECKS.put("every order's tickets are sold to it", """
        SELECT ot.order_id || ':' || ot.ticket_id FROM order_tickets ot JOIN tickets t ON t.id = ot.ticket_id
         WHERE ot.active AND (t.status <> 'sold' OR t.order_id IS DISTINCT FROM ot.order_id)""");
    CHECKS.put("every sold ticket belongs to a paid order", """
        SELECT t.id::text FROM tickets t
         WHERE t.status = 'sold' AND NOT EXISTS (
           SELECT 1 FROM order_tickets ot JOIN orders o ON o.id = ot.order_id
            WHERE ot.ticket_id = t.id AND ot.active AND o.status = 'paid' AND o.id = t.order_id)""");
    CHECKS.put("every paid order has tickets and a cancelled one none", """
        SELECT o.code FROM orders o
         WHERE (o.status = 'paid') <> EXISTS (SELECT 1 FROM order_tickets ot WHERE ot.order_id = o.id AND ot.active)""");
    CHECKS.put("capacity equals the ticket rows of each category", """
        SELECT c.id || ':' || c.capacity || '<>' || count(t.id) FROM categories c LEFT JOIN tickets t ON t.category_id = c.id
         GROUP BY c.id HAVING c.capacity <> count(t.id)""");
    CHECKS.put("every unexpired hold holds exactly its tickets", """
        SELECT r.id::text FROM reservations r
          LEFT JOIN (SELECT t.reservation_id, count(*) AS held FROM tickets t
                      WHERE t.reservation_id IS NOT NULL AND t.status = 'open' AND t.held_until >= now()
                      GROUP BY t.reservation_id) h ON h.reservation_id = r.id
         WHERE r.status = 'active' AND r.expires_at > now() + interval '1 second'
           AND r.ticket_count <> coalesce(h.held, 0)""");
    CHECKS.put("every paid order's jobs are in the outbox", """
        SELECT o.code FROM orders o
         WHERE o.status = 'paid' AND NOT EXISTS (
           SELECT 1 FROM outbox x WHERE x.type IN ('%s', '%s') AND (x.payload->>'orderId')::bigint = o.id)"""
        .formatted(JobTypes.ORDER_CONFIRMATION, JobTypes.ORDER_LATE_PAID));
    CHECKS.put("every paid order has exactly its own tickets sold", """
        SELECT o.code FROM orders o
         WHERE o.status = 'paid' AND (
           o.ticket_count <> (SELECT count(*) FROM order_tickets ot WHERE ot.order_id = o.id AND ot.active)
           OR o.ticket_count <> (SELECT count(*) FROM tickets t WHERE t.order_id = o.id AND t.status = 'sold'))""");
    CHECKS.put("no ticket is both in a paid order and in a live hold or pending order", """
        SELECT t.id::text FROM tickets t JOIN order_tickets ot ON ot.ticket_id = t.id AND ot.active
         WHERE t.status = 'open' AND t.held_until >= now()""");
    CHECKS.put("every pending order keeps exactly its tickets until its grace ends", """
        SELECT o.code FROM orders o
         WHERE o.status = 'pending' AND o.keep_until > now() + interval '1 second'
           AND o.ticket_count <> (SELECT count(*) FROM tickets t
                                   WHERE t.order_id = o.id AND t.status = 'open' AND t.held_until >= o.keep_until)""");
    CHECKS.put("every successful payment paid its order, or is refunded or owed back", """
        SELECT p.id::text FROM payments p JOIN orders o ON o.id = p.order_id
         WHERE p.status = 'succeeded' AND NOT (o.status = 'paid' AND o.paid_by = p.id)""");
    CHECKS.put("per currency, money kept equals the total of paid orders", """
        SELECT coalesce(k.currency, t.currency) || ': kept ' || coalesce(k.kept, 0) || ', paid orders ' || coalesce(t.total, 0)
          FROM (SELECT received_currency AS currency, sum(received_cents) AS kept FROM payments
                 WHERE status = 'succeeded' GROUP BY received_currency) k
          FULL JOIN (SELECT currency, sum(total_cents) AS total FROM orders
                      WHERE status = 'paid' AND total_cents > 0 GROUP BY currency) t ON t.currency = k.currency
         WHERE coalesce(k.kept, 0) <> coalesce(t.total, 0)""");
  }

  private final Pool pool;

  public InvariantChecker(Pool pool) {
    this.pool = pool;
  }

  /**
   * {"ok": bool, "checks": [{"name", "violations", "examples"}]}. The checks run one after another:
   * an operator asks this during a sale, and it must not take a dozen of the sale's connections.
   */
  public Future<JsonObject> run() {
    JsonArray results = new JsonArray();
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, String> entry : CHECKS.entrySet()) {
      chain = chain.compose(ignored -> check(entry.getKey(), entry.getValue()).map(results::add).mapEmpty());
    }
    return chain.map(ignored -> new JsonObject()
        .put("ok", results.stream().allMatch(r -> ((JsonObject) r).getLong("violations") == 0))
        .put("checks", results));
  }

  private Future<JsonObject> check(String name, String sql) {
    return pool.query("SELECT count(*) OVER () AS total, v FROM (" + sql + ") AS violations(v) LIMIT 5").execute()
        .map(rows -> {
          JsonArray examples = new JsonArray();
          long total = 0;
          for (var row : rows) {
            total = row.getLong("total");
            examples.add(row.getString("v"));
          }
          return new JsonObject().put("name", name).put("violations", total).put("examples", examples);
        });
  }
}
