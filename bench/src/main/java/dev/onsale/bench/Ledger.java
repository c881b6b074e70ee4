package dev.onsale.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the buyers were given: each order's tickets as the order answer listed them and as a later
 * fetch of the order showed them, every ticket a reservation returned, what each buyer did about
 * paying and what the pay page answered, and each order as read back after the sale. The integrity
 * check compares this with the organizer's stats: only paid orders own tickets.
 */
final class Ledger {

  record OrderSeen(String code, String secret, List<Ticket> tickets) {}

  record Ticket(long id, long categoryId) {}

  /** An order as read back after the sale: its status then, and the tickets it lists. */
  record FinalOrder(String code, String status, List<Ticket> tickets, String keptUntil) {}

  final Map<String, OrderSeen> orders = new ConcurrentHashMap<>();
  final Map<String, OrderSeen> fetched = new ConcurrentHashMap<>();
  final Map<String, String> fetchedStatus = new ConcurrentHashMap<>();
  /** Ticket id to how many reservations returned it (more than one while both active is an oversell). */
  final Map<Long, Integer> reservedTickets = new ConcurrentHashMap<>();
  final AtomicLong reservations = new AtomicLong();
  final AtomicLong ticketsRequested = new AtomicLong();
  /** Tickets asked for by buyers who mean to pay (on time or after a decline; every buyer of a free event). */
  final AtomicLong ticketsRequestedToPay = new AtomicLong();
  /** Order code to what its buyer did about the payment. */
  final Map<String, Settings.Pay.Plan> plans = new ConcurrentHashMap<>();
  /** The pay page's answers by result ({@code paid}, {@code failed}, {@code late_completed}, {@code session_not_open}, …). */
  final Map<String, AtomicLong> payResults = new ConcurrentHashMap<>();
  /** The late buyers' outcomes: {@code paid} within the grace, {@code late_completed}, {@code late_refunded}, session expired. */
  final Map<String, AtomicLong> lateResults = new ConcurrentHashMap<>();
  /** Orders whose buyer saw a payment succeed ({@code paid} or {@code late_completed}), and which result. */
  final Map<String, String> paidByBuyer = new ConcurrentHashMap<>();
  /** Every order as read back after the sale. */
  final Map<String, FinalOrder> finals = new ConcurrentHashMap<>();
  /** Every arrival number a join handed out (a new run's event starts at 1), and how many came twice. */
  private final java.util.BitSet arrivalNumbers = new java.util.BitSet();
  private long arrivalNumbersTwice;
  /** The waits the buyers' pages showed, and when serving reached each number. */
  final WaitEstimates waitEstimates = new WaitEstimates();

  void reserved(List<Ticket> tickets) {
    reservations.incrementAndGet();
    tickets.forEach(t -> reservedTickets.merge(t.id(), 1, Integer::sum));
  }

  synchronized void arrivalNumber(long number) {
    if (number < 1 || number > Integer.MAX_VALUE) {
      arrivalNumbersTwice++;
    } else if (arrivalNumbers.get((int) number)) {
      arrivalNumbersTwice++;
    } else {
      arrivalNumbers.set((int) number);
    }
  }

  /** Distinct arrival numbers seen, the highest one, and numbers seen twice (or out of range). */
  synchronized long[] arrivalNumbers() {
    return new long[] {arrivalNumbers.cardinality(), Math.max(0, arrivalNumbers.length() - 1), arrivalNumbersTwice};
  }

  void payResult(String result) {
    payResults.computeIfAbsent(result, r -> new AtomicLong()).incrementAndGet();
  }

  void lateResult(String result) {
    lateResults.computeIfAbsent(result, r -> new AtomicLong()).incrementAndGet();
  }

  /** The orders read back as paid: the only ones that own tickets. */
  Map<String, FinalOrder> paidOrders() {
    Map<String, FinalOrder> paid = new TreeMap<>();
    finals.values().stream().filter(o -> "paid".equals(o.status())).forEach(o -> paid.put(o.code(), o));
    return paid;
  }

  static Map<String, Long> counts(Map<String, AtomicLong> counters) {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }
}
