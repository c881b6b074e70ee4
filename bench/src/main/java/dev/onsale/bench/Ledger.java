package dev.onsale.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the buyers were given: each order's tickets as the order answer listed them and as a later
 * fetch of the order showed them, and every ticket a reservation returned. The integrity check
 * compares this with the organizer's stats.
 */
final class Ledger {

  record OrderSeen(String code, String secret, List<Ticket> tickets) {}

  record Ticket(long id, long categoryId) {}

  final Map<String, OrderSeen> orders = new ConcurrentHashMap<>();
  final Map<String, OrderSeen> fetched = new ConcurrentHashMap<>();
  final Map<String, String> fetchedStatus = new ConcurrentHashMap<>();
  /** Ticket id to how many reservations returned it (more than one while both active is an oversell). */
  final Map<Long, Integer> reservedTickets = new ConcurrentHashMap<>();
  final AtomicLong reservations = new AtomicLong();
  final AtomicLong ticketsRequested = new AtomicLong();

  void reserved(List<Ticket> tickets) {
    reservations.incrementAndGet();
    tickets.forEach(t -> reservedTickets.merge(t.id(), 1, Integer::sum));
  }
}
