package dev.onsale.sale;

import dev.onsale.common.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Coalesces the single-category reservations that arrive together on one event loop into one
 * claim transaction per category ({@code reserve_batch}): while a batch is in flight, newcomers
 * wait in memory and go together in the next one. Claim throughput then grows with load instead of
 * collapsing under lock and connection contention, and each category has one writer per event
 * loop, not one per buyer. Not thread-safe: one instance per verticle.
 */
final class ReservationBatcher {

  private final Pool pool;
  private final int maxBatch;
  private final int maxWaiting;
  private final Map<Long, Lane> lanes = new HashMap<>();

  ReservationBatcher(Pool pool, int maxBatch, int maxWaiting) {
    this.pool = pool;
    this.maxBatch = maxBatch;
    this.maxWaiting = maxWaiting;
  }

  private record Pending(UUID id, Long admission, int quantity, Promise<Hold> promise) {}

  /** The buyers of one category waiting for their claim, and whether a claim is under way. */
  private static final class Lane {
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    boolean inFlight;
  }

  Future<Hold> reserve(Event event, Long admission, long categoryId, int quantity) {
    Lane lane = lanes.computeIfAbsent(categoryId, id -> new Lane());
    if (lane.waiting.size() >= maxWaiting) {
      return Future.failedFuture(ApiException.unavailable("overloaded", "too many buyers at once, try again shortly", 1));
    }
    Promise<Hold> promise = Promise.promise();
    lane.waiting.add(new Pending(UUID.randomUUID(), admission, quantity, promise));
    if (!lane.inFlight) {
      flush(event, categoryId, lane);
    }
    return promise.future();
  }

  private void flush(Event event, long categoryId, Lane lane) {
    List<Pending> batch = new ArrayList<>();
    while (!lane.waiting.isEmpty() && batch.size() < maxBatch) {
      batch.add(lane.waiting.poll());
    }
    lane.inFlight = true;
    UUID[] ids = batch.stream().map(Pending::id).toArray(UUID[]::new);
    Long[] admissions = batch.stream().map(Pending::admission).toArray(Long[]::new);
    Integer[] quantities = batch.stream().map(Pending::quantity).toArray(Integer[]::new);
    pool.preparedQuery(SaleSql.RESERVE_BATCH)
        .execute(Tuple.of(event.id(), categoryId, event.holdSeconds(), ids, admissions, quantities))
        .onComplete(result -> {
          lane.inFlight = false;
          if (result.succeeded()) {
            distribute(event.id(), categoryId, batch, result.result());
          } else {
            Throwable failure = SaleRepository.translateReserveFailure(result.cause());
            batch.forEach(p -> p.promise().fail(failure));
          }
          if (!lane.waiting.isEmpty()) {
            flush(event, categoryId, lane);
          }
        });
  }

  private static void distribute(long eventId, long categoryId, List<Pending> batch, RowSet<Row> rows) {
    Map<UUID, List<HeldTicket>> tickets = new HashMap<>();
    Map<UUID, Instant> until = new HashMap<>();
    java.util.Set<UUID> used = new java.util.HashSet<>();
    for (Row row : rows) {
      UUID id = row.getUUID("reservation_id");
      List<HeldTicket> mine = tickets.computeIfAbsent(id, k -> new ArrayList<>());
      Long ticket = row.getLong("ticket_id");
      OffsetDateTime heldUntil = row.getOffsetDateTime("held_until");
      if (ticket == null && heldUntil != null) {
        used.add(id); // '-infinity': the admission was used for an order
      } else if (ticket != null) {
        mine.add(new HeldTicket(ticket, categoryId));
        until.put(id, row.getOffsetDateTime("held_until").toInstant());
      }
    }
    for (Pending p : batch) {
      List<HeldTicket> mine = tickets.get(p.id());
      if (used.contains(p.id())) {
        p.promise().fail(SaleRepository.admissionUsed());
      } else if (mine == null) {
        p.promise().fail(new SoldOut(categoryId));
      } else if (mine.isEmpty()) {
        p.promise().fail(SaleRepository.admissionInUse());
      } else {
        p.promise().complete(new Hold(p.id(), eventId, until.get(p.id()), mine));
      }
    }
  }
}
