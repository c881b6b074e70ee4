package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.onsale.common.JobCatalog;
import dev.onsale.common.JobQueue;
import dev.onsale.common.JobTypes;
import dev.onsale.sale.OutboxWrites.Job;
import dev.onsale.sale.OutboxWrites.Result;
import dev.onsale.sale.OutboxWrites.Source;
import dev.onsale.sale.payment.PaymentOutboxStatements;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every job the sale core writes into the outbox — from the migrations' SQL functions and from its
 * Java statements — is one {@link JobCatalog} knows, on the queue the catalog gives it, with the
 * payload fields its worker reads. The migrations are read as Flyway reads them, from the
 * classpath, and never edited: an applied migration must stay byte-identical.
 */
class JobCatalogTest {

  private static final Pattern VERSION = Pattern.compile("V(\\d+)__.*\\.sql");
  private static final Pattern JOB_TYPE_LITERAL = Pattern.compile("'([a-z_]+\\.[a-z_]+)'");
  private static final Pattern QUEUE_CHECK = Pattern.compile("(?i)CHECK\\s*\\(\\s*queue\\s+IN\\s*\\(([^)]*)\\)\\s*\\)");

  @Test
  @DisplayName("every job a migration writes into the outbox is in the catalog, on its queue, with the fields its worker reads")
  void migrationsWriteCatalogJobs() throws IOException, URISyntaxException {
    Result read = OutboxWrites.read(migrations(), Map.of());

    assertThat(read.jobs()).as("jobs the migrations write").isNotEmpty();
    assertNoProblems(read.problems(), problems(read.jobs()));
  }

  @Test
  @DisplayName("every job the sale core's Java statements write into the outbox is in the catalog, on its queue, with its fields")
  void javaStatementsWriteCatalogJobs() {
    List<Job> jobs = new ArrayList<>();
    List<String> unread = new ArrayList<>();
    for (Map.Entry<String, Map.Entry<String, String>> statement : javaStatements().entrySet()) {
      String type = statement.getValue().getValue();
      Result read = OutboxWrites.read(List.of(new Source(statement.getKey(), statement.getValue().getKey())),
          type == null ? Map.of() : Map.of("$2", type));
      assertThat(read.jobs()).as(statement.getKey() + " writes a job").isNotEmpty();
      jobs.addAll(read.jobs());
      unread.addAll(read.problems());
    }

    assertThat(jobs).extracting(Job::type).as("SaleSql.INSERT_EXPORT_JOB's job").contains(JobTypes.ORDERS_EXPORT);
    assertNoProblems(unread, problems(jobs));
  }

  @Test
  @DisplayName("every job type in the catalog has a writer, and the outbox's queue constraint names exactly the catalog's queues")
  void catalogHasNoStrayEntries() throws IOException, URISyntaxException {
    Set<String> written = new TreeSet<>();
    OutboxWrites.read(migrations(), Map.of()).jobs().forEach(job -> written.add(job.type()));
    javaStatements().values().forEach(statement -> {
      OutboxWrites.read(List.of(new Source("java", statement.getKey())),
              statement.getValue() == null ? Map.of() : Map.of("$2", statement.getValue()))
          .jobs().forEach(job -> written.add(job.type()));
    });
    assertThat(written).as("the job types some writer writes")
        .containsExactlyInAnyOrderElementsOf(JobCatalog.all().stream().map(JobCatalog.Entry::type).toList());

    String lastCheck = null;
    for (Source migration : migrations()) {
      Matcher check = QUEUE_CHECK.matcher(migration.sql());
      while (check.find()) {
        lastCheck = check.group(1);
      }
    }
    assertThat(lastCheck).as("the outbox's CHECK (queue IN (...))").isNotNull();
    assertThat(OutboxWrites.split(lastCheck)).as("the queues the outbox accepts")
        .containsExactlyInAnyOrderElementsOf(Arrays.stream(JobQueue.values()).map(q -> "'" + q.streamName() + "'").toList());
  }

  @Test
  @DisplayName("every job type a migration spells anywhere (not only in an outbox insert) is one the catalog knows")
  void migrationsSpellOnlyCatalogTypes() throws IOException, URISyntaxException {
    Set<String> known = JobCatalog.all().stream().map(JobCatalog.Entry::type).collect(Collectors.toSet());
    Set<String> spelled = new TreeSet<>();
    for (Source migration : migrations()) {
      Matcher literal = JOB_TYPE_LITERAL.matcher(migration.sql());
      while (literal.find()) {
        spelled.add(literal.group(1));
      }
    }
    assertThat(spelled).as("job types spelled in the migrations").isNotEmpty();
    assertThat(known).as("the catalog's job types").containsAll(spelled);
  }

  @Test
  @DisplayName("a job not in the catalog fails the check with its file, line and (queue, type) pair")
  void aStrayJobIsNamed() {
    String migration = """
        CREATE FUNCTION notify_late(p_order BIGINT, p_kind TEXT)
        RETURNS VOID LANGUAGE plpgsql AS $$
        BEGIN
          -- the buyer's mail
          INSERT INTO outbox (queue, type, payload)
          VALUES ('mail', p_kind, jsonb_build_object('orderId', p_order));
        END
        $$;
        SELECT notify_late(1, 'order.late_mail');
        INSERT INTO outbox (queue, type, payload)
        VALUES ('mail', 'ticket.pdf', jsonb_build_object('orderId', 1, 'ticketId', 2)),
               ('webhooks', 'order.paid', jsonb_build_object('orderId', 1));
        """;
    Result read = OutboxWrites.read(List.of(new Source("V99__stray.sql", migration)), Map.of());

    assertThat(read.problems()).isEmpty();
    assertThat(problems(read.jobs())).containsExactly(
        "V99__stray.sql:9 via V99__stray.sql:5 writes ('mail', 'order.late_mail'): no such job type in JobCatalog",
        "V99__stray.sql:10 writes ('mail', 'ticket.pdf'): JobCatalog puts ticket.pdf on tickets",
        "V99__stray.sql:10 writes ('mail', 'ticket.pdf'): its payload lacks secret, which the worker of ticket.pdf reads",
        "V99__stray.sql:10 writes ('webhooks', 'order.paid'): its payload lacks eventId, which the worker of order.paid reads");
  }

  /** What is wrong with each job, against the catalog; empty when all is well. */
  private static List<String> problems(List<Job> jobs) {
    List<String> problems = new ArrayList<>();
    for (Job job : jobs) {
      String at = job.where() + " writes " + job.pair() + ": ";
      JobCatalog.find(job.type()).ifPresentOrElse(entry -> {
        if (!entry.queue().streamName().equals(job.queue())) {
          problems.add(at + "JobCatalog puts " + job.type() + " on " + entry.queue().streamName());
        }
        for (String field : entry.fields()) {
          if (!job.payloadKeys().contains(field)) {
            problems.add(at + "its payload lacks " + field + ", which the worker of " + job.type() + " reads");
          }
        }
      }, () -> problems.add(at + "no such job type in JobCatalog"));
    }
    return problems;
  }

  private static void assertNoProblems(List<String> unread, List<String> wrong) {
    List<String> all = new ArrayList<>(unread);
    all.addAll(wrong);
    if (!all.isEmpty()) {
      fail("outbox jobs that do not match JobCatalog:\n  " + String.join("\n  ", all));
    }
  }

  /** The Java statements that write into the outbox, with the type their {@code $2} is bound to (null: none). */
  private static Map<String, Map.Entry<String, String>> javaStatements() {
    Map<String, Map.Entry<String, String>> statements = new LinkedHashMap<>();
    statements.put("SaleSql.INSERT_EXPORT_JOB", new AbstractMap.SimpleEntry<>(SaleSql.INSERT_EXPORT_JOB, null));
    statements.putAll(PaymentOutboxStatements.STATEMENTS);
    return statements;
  }

  /** Every migration Flyway runs, in version order. */
  private static List<Source> migrations() throws IOException, URISyntaxException {
    URL folder = JobCatalogTest.class.getClassLoader().getResource("db/migration");
    assertThat(folder).as("db/migration on the classpath").isNotNull();
    try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
      List<Path> sql = files.filter(f -> VERSION.matcher(f.getFileName().toString()).matches())
          .sorted(Comparator.comparingInt(JobCatalogTest::version))
          .collect(Collectors.toList());
      List<Source> sources = new ArrayList<>();
      for (Path file : sql) {
        sources.add(new Source(file.getFileName().toString(), Files.readString(file)));
      }
      return sources;
    }
  }

  private static int version(Path file) {
    Matcher m = VERSION.matcher(file.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
  }
}
