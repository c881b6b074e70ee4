package dev.onsale.bench;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters every driver updates and the progress bar reads. */
final class Progress {

  final AtomicLong arrived = new AtomicLong();
  final AtomicLong joined = new AtomicLong();
  final AtomicLong admitted = new AtomicLong();
  final AtomicLong reserved = new AtomicLong();
  final AtomicLong ordered = new AtomicLong();
  final AtomicLong fetched = new AtomicLong();
  /** Orders the buyers saw paid: at ordering (free), or by a payment (on time, after a decline, late). */
  final AtomicLong paid = new AtomicLong();
  /** Buyers who left their order unpaid (abandoned, a late payment refused, or --no-pay). */
  final AtomicLong unpaid = new AtomicLong();
  final AtomicLong soldOut = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong finished = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  final AtomicLong ticketsReserved = new AtomicLong();
  /** Requests a waiting buyer sent to follow the queue: the public state, and its own status. */
  final AtomicLong stateRequests = new AtomicLong();
  final AtomicLong statusRequests = new AtomicLong();
  /** Milliseconds after the start when the first buyer heard "sold out"; -1 until then. */
  final AtomicLong firstSoldOutMillis = new AtomicLong(-1);
  /** Milliseconds after the start of the last order placed. */
  final AtomicLong lastOrderMillis = new AtomicLong(-1);

  /** Milliseconds after the start when a buyer last saw tickets become sold (an order paid); -1 until then. */
  final AtomicLong lastPaidMillis = new AtomicLong(-1);

  void paidAt(long millis) {
    paid.incrementAndGet();
    lastPaidMillis.accumulateAndGet(millis, Math::max);
  }

  void soldOutAt(long millis) {
    firstSoldOutMillis.compareAndSet(-1, millis);
  }

  void orderAt(long millis) {
    lastOrderMillis.accumulateAndGet(millis, Math::max);
  }
}
