package dev.onsale.workers;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEnv;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The plans the workers' statements keep. A pooled connection prepares a statement once and, after
 * a few runs, keeps one generic plan, chosen from the table sizes of that moment: in a sale's first
 * seconds, on tables never analysed. These tests plan the statements generically in the state of a
 * paid sale whose PDFs lag behind its orders, and check that they still look rows up by key.
 */
@DisplayName("Worker statements keep lookups by key when planned on a sale's unanalysed tables")
class WorkerPlansTest {

  private WorkerFixture fx;

  @BeforeEach
  void start() {
    fx = WorkerFixture.migrated(TestEnv.freshConfig(Map.of("ONSALE_ROLES", "workers")));
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  @DisplayName("the confirmation mail reads its order's PDFs by key, not by reading every PDF, while the PDFs lag behind the orders")
  void mailPdfsAreLookedUpByKey() {
    long eventId = fx.createEvent("Plans", "Floor");
    WorkerFixture.Order order = fx.createOrder(eventId, fx.categoryId(eventId, "Floor"), 4000, "Ada", "ada@example.org", false);
    // The PDFs of a tenth of the tickets exist: rendering is behind the sold tickets.
    fx.sql("""
        INSERT INTO ticket_pdfs (ticket_id, secret, path, bytes)
        SELECT ticket_id, secret, '/tmp/' || ticket_id || '.pdf', 1000 FROM order_tickets WHERE order_id = $1 AND ticket_id % 10 = 0""",
        Tuple.of(order.id()));

    String plan = genericPlan(WorkerSql.SELECT_MAIL_PDFS, "bigint", order.id());

    assertThat(plan).contains("Index Scan using ticket_pdfs_pkey on ticket_pdfs")
        .doesNotContain("Seq Scan on ticket_pdfs")
        .doesNotContain("Seq Scan on order_tickets");
  }

  /** The plan a connection keeps for the statement once it plans it generically, as text. */
  private String genericPlan(String sql, String parameterType, long parameter) {
    return await(fx.services.pg().withConnection(conn -> conn.query("SET plan_cache_mode = force_generic_plan").execute()
        .compose(ignored -> conn.query("PREPARE planned(" + parameterType + ") AS " + sql).execute())
        .compose(ignored -> conn.query("EXPLAIN EXECUTE planned(" + parameter + ")").execute())
        .map(rows -> {
          List<String> lines = new ArrayList<>();
          for (Row row : rows) {
            lines.add(row.getString(0));
          }
          return String.join("\n", lines);
        })
        .eventually(() -> conn.query("DEALLOCATE ALL").execute().compose(x -> conn.query("RESET plan_cache_mode").execute()))));
  }
}
