package dev.onsale.sale;

import dev.onsale.common.ApiException;
import dev.onsale.common.Json;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Events, categories and the ticket rows behind them; availability counted from those rows. */
public final class EventRepository {

  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pool;

  public EventRepository(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  /** Creates the event, its categories and one ticket row per sellable ticket, in one transaction. */
  Future<Event> create(EventInput.NewEvent input) {
    return pool.withTransaction(conn -> conn.preparedQuery(SaleSql.INSERT_EVENT)
            .execute(Tuple.from(new Object[] {
                input.slug(), input.name(), input.venue(), Json.utc(input.startsAt()),
                Json.utc(input.queueOpensAt()), Json.utc(input.saleStartsAt()), Json.utc(input.saleEndsAt()),
                input.admissionRatePerMinute(), input.maxActiveShoppers(), input.maxTicketsPerOrder(),
                input.holdSeconds(), input.waitingRoom(), input.preQueue(), input.payment().seconds(),
                input.payment().graceSeconds(), input.timeZone(), input.joinChallenge().kind(),
                input.joinChallenge().difficulty()}))
            .map(rows -> rows.iterator().next().getLong(0))
            .compose(eventId -> addCategories(conn, eventId, input.categories(), 0).map(eventId)))
        .recover(e -> Future.failedFuture(isUniqueViolation(e)
            ? ApiException.conflict("slug_taken", "an event with slug '" + input.slug() + "' exists")
            : e))
        .compose(this::find);
  }

  private Future<Void> addCategories(SqlConnection conn, long eventId, List<EventInput.NewCategory> categories, int firstPosition) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < categories.size(); i++) {
      EventInput.NewCategory category = categories.get(i);
      int position = firstPosition + i;
      chain = chain.compose(ignored -> conn.preparedQuery(SaleSql.INSERT_CATEGORY)
          .execute(Tuple.of(eventId, category.name(), category.priceCents(), category.currency(), category.capacity(), position))
          .map(rows -> rows.iterator().next().getLong(0))
          .compose(categoryId -> conn.preparedQuery(SaleSql.INSERT_TICKETS)
              .execute(Tuple.of(eventId, categoryId, category.capacity())))
          .mapEmpty());
    }
    return chain;
  }

  /** Applies a change; capacity grows by new rows and shrinks only by free tickets never sold. */
  Future<Event> update(EventInput.Change change) {
    Event e = change.updated();
    return pool.withTransaction(conn -> conn.preparedQuery(SaleSql.SELECT_EVENT_FOR_UPDATE).execute(Tuple.of(e.id()))
            .compose(ignored -> conn.preparedQuery(SaleSql.UPDATE_EVENT).execute(Tuple.from(new Object[] {
                e.id(), e.name(), e.venue(), Json.utc(e.startsAt()), Json.utc(e.queueOpensAt()),
                Json.utc(e.saleStartsAt()), Json.utc(e.saleEndsAt()), e.admissionRatePerMinute(),
                e.maxActiveShoppers(), e.maxTicketsPerOrder(), e.holdSeconds(), e.waitingRoom(),
                e.preQueue(), e.paused(), e.payment().seconds(), e.payment().graceSeconds(), e.timeZone(),
                e.joinChallenge().kind(), e.joinChallenge().difficulty()})))
            .compose(ignored -> resize(conn, e.id(), change.resizes()))
            .compose(ignored -> addCategories(conn, e.id(), change.added(), e.categories().size())))
        .recover(failure -> Future.failedFuture(isUniqueViolation(failure)
            ? ApiException.conflict("category_exists", "a category with that name exists")
            : failure))
        .compose(ignored -> find(e.id()));
  }

  private Future<Void> resize(SqlConnection conn, long eventId, List<EventInput.Resize> resizes) {
    Future<Void> chain = Future.succeededFuture();
    for (EventInput.Resize resize : resizes) {
      chain = chain.compose(ignored -> resizeOne(conn, eventId, resize));
    }
    return chain;
  }

  private Future<Void> resizeOne(SqlConnection conn, long eventId, EventInput.Resize resize) {
    int delta = resize.to() - resize.from();
    Future<?> rows;
    if (delta > 0) {
      rows = conn.preparedQuery(SaleSql.INSERT_TICKETS).execute(Tuple.of(eventId, resize.categoryId(), delta));
    } else if (delta < 0) {
      rows = conn.preparedQuery(SaleSql.DELETE_FREE_TICKETS).execute(Tuple.of(resize.categoryId(), -delta))
          .compose(deleted -> deleted.rowCount() == -delta
              ? Future.succeededFuture()
              : Future.failedFuture(ApiException.conflict("capacity_below_sold",
                  "category " + resize.categoryId() + " cannot shrink to " + resize.to()
                      + ": only " + deleted.rowCount() + " of the " + (-delta)
                      + " tickets to remove are free (sold and held tickets stay)")));
    } else {
      rows = Future.succeededFuture();
    }
    return rows.compose(ignored -> conn.preparedQuery(SaleSql.UPDATE_CATEGORY_CAPACITY)
        .execute(Tuple.of(resize.categoryId(), resize.to()))).mapEmpty();
  }

  /** The event with its categories; a 404 when there is none. */
  public Future<Event> find(long eventId) {
    return pool.preparedQuery(SaleSql.SELECT_EVENT).execute(Tuple.of(eventId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ApiException.notFound("event " + eventId));
          }
          return withCategories(List.of(rows.iterator().next())).map(list -> list.get(0));
        });
  }

  public Future<List<Event>> list(int limit) {
    return pool.preparedQuery(SaleSql.SELECT_EVENTS).execute(Tuple.of(limit))
        .compose(rows -> {
          List<Row> list = new ArrayList<>();
          rows.forEach(list::add);
          return withCategories(list);
        });
  }

  public Future<List<Long>> liveEventIds() {
    return pool.query(SaleSql.SELECT_LIVE_EVENT_IDS).execute()
        .map(rows -> {
          List<Long> ids = new ArrayList<>();
          rows.forEach(row -> ids.add(row.getLong(0)));
          return ids;
        });
  }

  private Future<List<Event>> withCategories(List<Row> eventRows) {
    if (eventRows.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Long[] ids = eventRows.stream().map(r -> r.getLong("id")).toArray(Long[]::new);
    return pool.preparedQuery(SaleSql.SELECT_CATEGORIES).execute(Tuple.of(ids))
        .map(categoryRows -> {
          Map<Long, List<Event.Category>> byEvent = new HashMap<>();
          for (Row c : categoryRows) {
            byEvent.computeIfAbsent(c.getLong("event_id"), k -> new ArrayList<>()).add(new Event.Category(
                c.getLong("id"), c.getString("name"), c.getInteger("price_cents"),
                c.getString("currency"), c.getInteger("capacity")));
          }
          List<Event> events = new ArrayList<>();
          for (Row r : eventRows) {
            events.add(toEvent(r, byEvent.getOrDefault(r.getLong("id"), List.of())));
          }
          return events;
        });
  }

  private static Event toEvent(Row r, List<Event.Category> categories) {
    return new Event(
        r.getLong("id"),
        r.getString("slug"),
        r.getString("name"),
        r.getString("venue"),
        r.getOffsetDateTime("starts_at").toInstant(),
        r.getOffsetDateTime("queue_opens_at").toInstant(),
        r.getOffsetDateTime("sale_starts_at").toInstant(),
        r.getOffsetDateTime("sale_ends_at").toInstant(),
        r.getInteger("admission_rate_per_minute"),
        r.getInteger("max_active_shoppers"),
        r.getInteger("max_tickets_per_order"),
        r.getInteger("hold_seconds"),
        r.getBoolean("waiting_room"),
        r.getString("pre_queue"),
        r.getBoolean("paused"),
        new Event.Payment(r.getInteger("payment_seconds"), r.getInteger("payment_grace_seconds")),
        r.getString("time_zone"),
        new Event.JoinChallenge(r.getString("join_challenge"), r.getInteger("pow_difficulty")),
        List.copyOf(categories));
  }

  /** Available, held and sold per category, counted from the ticket rows. */
  public Future<Availability> availability(Event event) {
    Long[] categoryIds = event.categories().stream().map(Event.Category::id).toArray(Long[]::new);
    return pool.preparedQuery(SaleSql.COUNT_OPEN_TICKETS).execute(Tuple.of(categoryIds))
        .map(rows -> toAvailability(event, rows));
  }

  private static Availability toAvailability(Event event, RowSet<Row> rows) {
    Map<Long, long[]> open = new HashMap<>();
    java.time.Instant nextRelease = null;
    for (Row r : rows) {
      open.put(r.getLong("category_id"), new long[] {r.getLong("available"), r.getLong("pending"), r.getLong("open")});
      java.time.OffsetDateTime release = r.getOffsetDateTime("next_release_at");
      if (release != null && (nextRelease == null || release.toInstant().isBefore(nextRelease))) {
        nextRelease = release.toInstant();
      }
    }
    List<Availability.PerCategory> categories = new ArrayList<>();
    for (Event.Category c : event.categories()) {
      long[] counts = open.getOrDefault(c.id(), new long[] {0, 0, 0});
      categories.add(new Availability.PerCategory(c.id(), c.name(), c.capacity(), counts[0],
          counts[2] - counts[0] - counts[1], counts[1]));
    }
    return new Availability(event.id(), categories, nextRelease);
  }

  /** Orders per status as buyers see them; {@code refundTrouble} counts refund_failed and refund_due. */
  record OrderCounts(long paid, long cancelled, long pending, long expired, long refunded, long refundTrouble) {}

  Future<OrderCounts> orderCounts(long eventId) {
    return pool.preparedQuery(SaleSql.COUNT_ORDERS).execute(Tuple.of(eventId))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new OrderCounts(r.getLong("paid"), r.getLong("cancelled"), r.getLong("pending"),
              r.getLong("expired"), r.getLong("refunded"), r.getLong("refund_trouble"));
        });
  }

  static boolean isUniqueViolation(Throwable e) {
    return e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState());
  }
}
