package dev.onsale.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Did the sale sell every ticket exactly once? Compares what buyers were given (orders, fetched
 * orders, reservations, the pay page's answers) and every order as read back after the sale with
 * the organizer's stats: only paid orders own tickets; nothing oversold, no ticket in two paid
 * orders, every paid order's tickets exist, and everything sold when the paying buyers' demand
 * exceeded capacity.
 */
final class IntegrityCheck {

  record Check(String name, boolean passed, String detail) {
    JsonObject toJson() {
      return new JsonObject().put("name", name).put("passed", passed).put("detail", detail);
    }
  }

  private final List<Check> checks = new ArrayList<>();

  static List<Check> full(EventInfo event, JsonObject stats, Ledger ledger, Progress progress, Settings settings) {
    IntegrityCheck c = new IntegrityCheck();
    c.notOversold(event, stats);
    c.everyOrderReadBack(ledger);
    c.noTicketInTwoOrders(ledger);
    c.ordersMatchStats(ledger, stats);
    c.everyOrdersTicketsExist(event, ledger);
    c.paymentsMatchOrders(ledger);
    c.soldOutWhenDemandExceeds(event, stats, ledger, progress, settings);
    return c.checks;
  }

  /** Joining sells nothing: every buyer got a place of its own, in one unbroken line, and not a ticket moved. */
  static List<Check> joinOnly(JsonObject stats, Progress progress, Ledger ledger, Settings settings) {
    IntegrityCheck c = new IntegrityCheck();
    c.add("every buyer joined", progress.joined.get() == settings.buyers(),
        progress.joined.get() + " of " + settings.buyers() + " joined");
    long[] numbers = ledger.arrivalNumbers();
    c.add("arrival numbers unique and contiguous from 1", numbers[0] == progress.joined.get() && numbers[1] == numbers[0]
        && numbers[2] == 0, numbers[0] + " distinct numbers, the highest " + numbers[1] + ", " + numbers[2] + " given twice");
    long touched = stats.getLong("held", 0L) + stats.getLong("sold", 0L);
    c.add("no ticket held or sold by joining", touched == 0, "held + sold = " + touched);
    return c.checks;
  }

  static List<Check> reserveOnly(EventInfo event, JsonObject stats, Ledger ledger) {
    IntegrityCheck c = new IntegrityCheck();
    c.notOversold(event, stats);
    long twice = ledger.reservedTickets.values().stream().filter(n -> n > 1).count();
    c.add("no ticket in two reservations", twice == 0,
        ledger.reservedTickets.size() + " distinct tickets reserved, " + twice + " returned by more than one reservation");
    long heldOrSold = stats.getLong("held", 0L) + stats.getLong("sold", 0L);
    c.add("holds match the stats", heldOrSold == ledger.reservedTickets.size(),
        "stats: held + sold = " + heldOrSold + "; reservations returned " + ledger.reservedTickets.size() + " tickets");
    return c.checks;
  }

  /**
   * The order-only mode: every hold ordered at once, nobody paying. Nothing oversold, no ticket in
   * two orders, and the stats account for every ticket handed out: kept for a pending order or sold
   * (a free event) as the orders say, held for the holds not ordered when the run stopped.
   */
  static List<Check> orderOnly(EventInfo event, JsonObject stats, Ledger ledger) {
    IntegrityCheck c = new IntegrityCheck();
    c.notOversold(event, stats);
    Map<Long, String> owner = new HashMap<>();
    Set<Long> twice = new HashSet<>();
    ledger.orders.values().forEach(order -> order.tickets().forEach(t -> {
      String previous = owner.putIfAbsent(t.id(), order.code());
      if (previous != null && !previous.equals(order.code())) {
        twice.add(t.id());
      }
    }));
    c.add("no ticket in two orders", twice.isEmpty(),
        ledger.orders.size() + " orders hold " + owner.size() + " distinct tickets"
            + (twice.isEmpty() ? "" : "; in two orders: " + sample(twice)));
    long ordered = owner.size();
    long keptOrSold = stats.getLong("pending", 0L) + stats.getLong("sold", 0L);
    c.add("pending + sold equals the tickets in the orders", keptOrSold == ordered,
        "stats pending + sold = " + keptOrSold + "; orders hold " + ordered);
    long reserved = ledger.reservedTickets.size();
    long held = stats.getLong("held", 0L);
    c.add("held equals the tickets of holds not ordered", held == reserved - ordered,
        "stats held " + held + "; reservations returned " + reserved + " tickets, " + ordered + " of them ordered");
    return c.checks;
  }

  /** The organizer's list of paid orders names exactly the orders read back as paid, each with its number of tickets. */
  static Check adminOrders(Map<String, Long> listed, Ledger ledger) {
    Map<String, Ledger.FinalOrder> paid = ledger.paidOrders();
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    List<String> wrongCount = new ArrayList<>();
    paid.values().forEach(order -> {
      Long count = listed.get(order.code());
      if (count == null) {
        missing.add(order.code());
      } else if (count >= 0 && count != order.tickets().size()) {
        wrongCount.add(order.code());
      }
    });
    listed.keySet().stream().filter(code -> !paid.containsKey(code)).forEach(extra::add);
    boolean ok = missing.isEmpty() && extra.isEmpty() && wrongCount.isEmpty();
    return new Check("the organizer's order list matches the buyers' orders", ok,
        listed.size() + " paid orders listed, " + paid.size() + " of the " + ledger.orders.size() + " placed read back paid"
            + (missing.isEmpty() ? "" : "; not listed: " + sample(missing))
            + (extra.isEmpty() ? "" : "; listed but not paid for the buyers: " + sample(extra))
            + (wrongCount.isEmpty() ? "" : "; other ticket count: " + sample(wrongCount)));
  }

  /** The server's own invariant checks ({@code GET /api/v1/admin/invariants}), read from the database. */
  static List<Check> serverInvariants(JsonObject answer) {
    List<Check> result = new ArrayList<>();
    JsonArray array = answer.getJsonArray("checks", new JsonArray());
    for (int i = 0; i < array.size(); i++) {
      JsonObject c = array.getJsonObject(i);
      long violations = c.getLong("violations", 0L);
      result.add(new Check("server: " + c.getString("name"), violations == 0,
          violations + " violations" + (violations == 0 ? "" : ", e.g. " + c.getValue("examples"))));
    }
    return result;
  }

  private void add(String name, boolean passed, String detail) {
    checks.add(new Check(name, passed, detail));
  }

  private void notOversold(EventInfo event, JsonObject stats) {
    long capacity = stats.getLong("capacity", (long) event.capacity());
    long sold = stats.getLong("sold", 0L);
    long held = stats.getLong("held", 0L);
    long pending = stats.getLong("pending", 0L);
    List<String> over = new ArrayList<>();
    JsonArray categories = stats.getJsonArray("categories", new JsonArray());
    for (int i = 0; i < categories.size(); i++) {
      JsonObject c = categories.getJsonObject(i);
      if (c.getLong("sold", 0L) + c.getLong("held", 0L) + c.getLong("pending", 0L) > c.getLong("capacity", Long.MAX_VALUE)) {
        over.add(String.valueOf(c.getValue("id")));
      }
    }
    add("never oversold", sold + held + pending <= capacity && over.isEmpty(),
        "capacity " + capacity + ", sold " + sold + ", held " + held + ", pending " + pending
            + (over.isEmpty() ? "" : "; over capacity in categories " + over));
  }

  /** Every order placed was read back after the sale (its final status is known). */
  private void everyOrderReadBack(Ledger ledger) {
    List<String> missing = ledger.orders.keySet().stream().filter(code -> !ledger.finals.containsKey(code)).toList();
    Map<String, Long> byStatus = new java.util.TreeMap<>();
    ledger.finals.values().forEach(o -> byStatus.merge(o.status(), 1L, Long::sum));
    add("every order read back after the sale", missing.isEmpty(),
        ledger.finals.size() + " of " + ledger.orders.size() + " orders read back, by status " + byStatus
            + (missing.isEmpty() ? "" : "; not readable: " + sample(missing)));
  }

  /** Only paid orders own tickets: no ticket in two paid orders, none both paid and kept for a pending order. */
  private void noTicketInTwoOrders(Ledger ledger) {
    Map<Long, String> owner = new HashMap<>();
    Set<Long> twice = new HashSet<>();
    Map<String, Ledger.FinalOrder> paid = ledger.paidOrders();
    paid.values().forEach(order -> order.tickets().forEach(t -> {
      String previous = owner.putIfAbsent(t.id(), order.code());
      if (previous != null && !previous.equals(order.code())) {
        twice.add(t.id());
      }
    }));
    Set<Long> paidAndKept = new HashSet<>();
    ledger.finals.values().stream().filter(o -> "pending".equals(o.status()))
        .forEach(o -> o.tickets().stream().map(Ledger.Ticket::id).filter(owner::containsKey).forEach(paidAndKept::add));
    add("no ticket sold twice", twice.isEmpty() && paidAndKept.isEmpty(),
        paid.size() + " paid orders hold " + owner.size() + " distinct tickets"
            + (twice.isEmpty() ? "" : "; in two paid orders: " + sample(twice))
            + (paidAndKept.isEmpty() ? "" : "; paid and kept for a pending order: " + sample(paidAndKept)));
  }

  private void ordersMatchStats(Ledger ledger, JsonObject stats) {
    Map<String, Ledger.FinalOrder> paid = ledger.paidOrders();
    long ticketsInPaid = paid.values().stream().mapToLong(o -> o.tickets().size()).sum();
    long sold = stats.getLong("sold", -1L);
    add("sold equals the tickets in the paid orders", sold == ticketsInPaid,
        "stats sold " + sold + ", tickets in paid orders " + ticketsInPaid);
    if (stats.containsKey("pending")) {
      long keptInPending = ledger.finals.values().stream().filter(o -> "pending".equals(o.status()))
          .mapToLong(o -> o.tickets().size()).sum();
      long pending = stats.getLong("pending");
      add("pending equals the tickets kept for pending orders", pending == keptInPending,
          "stats pending " + pending + ", tickets of orders still pending " + keptInPending);
    }
    if (stats.containsKey("orders")) {
      long orders = stats.getLong("orders");
      add("paid order count matches", orders == paid.size(),
          "stats orders (paid) " + orders + ", orders read back paid " + paid.size());
    }
  }

  /**
   * Every paid order lists as many tickets, of the event's categories, as it was placed with; an
   * order paid in time lists the very tickets the order answer gave (they were kept for it). A late
   * payment completes with tickets claimed again: the same count per category, maybe other ids.
   */
  private void everyOrdersTicketsExist(EventInfo event, Ledger ledger) {
    List<String> different = new ArrayList<>();
    List<String> badCategory = new ArrayList<>();
    List<String> fetchedDiffers = new ArrayList<>();
    Map<String, Ledger.FinalOrder> paid = ledger.paidOrders();
    for (Ledger.FinalOrder order : paid.values()) {
      Ledger.OrderSeen placed = ledger.orders.get(order.code());
      boolean late = "late_completed".equals(ledger.paidByBuyer.get(order.code()));
      if (placed == null || order.tickets().isEmpty()) {
        different.add(order.code());
        continue;
      }
      if (late ? !perCategory(placed.tickets()).equals(perCategory(order.tickets()))
          : !ids(placed.tickets()).equals(ids(order.tickets()))) {
        different.add(order.code());
      }
      Ledger.OrderSeen fetched = ledger.fetched.get(order.code());
      if (fetched != null && "paid".equals(ledger.fetchedStatus.get(order.code()))
          && !ids(fetched.tickets()).equals(ids(order.tickets()))) {
        fetchedDiffers.add(order.code());
      }
      order.tickets().stream()
          .filter(t -> t.categoryId() >= 0 && !event.hasCategory(t.categoryId()))
          .findAny()
          .ifPresent(t -> badCategory.add(order.code()));
    }
    boolean ok = different.isEmpty() && badCategory.isEmpty() && fetchedDiffers.isEmpty();
    add("every order's tickets exist", ok,
        paid.size() + " paid orders read back with their tickets"
            + (different.isEmpty() ? "" : "; tickets differ from the order's: " + sample(different))
            + (fetchedDiffers.isEmpty() ? "" : "; changed after the buyer saw them paid: " + sample(fetchedDiffers))
            + (badCategory.isEmpty() ? "" : "; unknown category: " + sample(badCategory)));
  }

  /**
   * What the pay page told the buyers holds afterwards: every order whose payment the buyer saw
   * succeed is paid, and every order its buyer left unpaid is not.
   */
  private void paymentsMatchOrders(Ledger ledger) {
    List<String> notPaid = new ArrayList<>();
    ledger.paidByBuyer.forEach((code, result) -> {
      Ledger.FinalOrder order = ledger.finals.get(code);
      if (order != null && !"paid".equals(order.status())) {
        notPaid.add(code + " (" + result + ", now " + order.status() + ")");
      }
    });
    List<String> paidUnasked = new ArrayList<>();
    ledger.finals.values().stream()
        .filter(o -> "paid".equals(o.status()) && !ledger.paidByBuyer.containsKey(o.code()))
        .filter(o -> ledger.plans.get(o.code()) == Settings.Pay.Plan.ABANDON)
        .forEach(o -> paidUnasked.add(o.code()));
    add("orders are paid exactly when their buyers paid", notPaid.isEmpty() && paidUnasked.isEmpty(),
        ledger.paidByBuyer.size() + " orders seen paid by their buyers"
            + (notPaid.isEmpty() ? "" : "; not paid after all: " + sample(notPaid))
            + (paidUnasked.isEmpty() ? "" : "; paid though abandoned: " + sample(paidUnasked)));
  }

  private static Set<Long> ids(List<Ledger.Ticket> tickets) {
    return tickets.stream().map(Ledger.Ticket::id).collect(Collectors.toSet());
  }

  private static Map<Long, Long> perCategory(List<Ledger.Ticket> tickets) {
    return tickets.stream().collect(Collectors.groupingBy(Ledger.Ticket::categoryId, java.util.TreeMap::new, Collectors.counting()));
  }

  /**
   * When the buyers who mean to pay asked for more than there was, every category must end sold,
   * up to a remainder smaller than the largest request (all items of a request are reserved or
   * none): tickets of abandoned or refused payments come back and go to buyers still waiting.
   */
  private void soldOutWhenDemandExceeds(EventInfo event, JsonObject stats, Ledger ledger, Progress progress, Settings settings) {
    long demand = ledger.ticketsRequestedToPay.get();
    long capacity = stats.getLong("capacity", (long) event.capacity());
    if (demand < capacity) {
      add("sold = capacity when demand exceeds it", true,
          "not applicable: paying buyers' demand " + demand + " < capacity " + capacity);
      return;
    }
    long maxRemainder = Math.max(0, settings.quantityMax() - 1);
    List<String> left = new ArrayList<>();
    JsonArray categories = stats.getJsonArray("categories", new JsonArray());
    for (int i = 0; i < categories.size(); i++) {
      JsonObject c = categories.getJsonObject(i);
      long unsold = c.getLong("capacity", 0L) - c.getLong("sold", 0L);
      if (unsold > maxRemainder) {
        left.add(c.getValue("id") + ": " + unsold + " unsold");
      }
    }
    if (categories.isEmpty() && capacity - stats.getLong("sold", 0L) > maxRemainder) {
      left.add("total: " + (capacity - stats.getLong("sold", 0L)) + " unsold");
    }
    add("sold = capacity when demand exceeds it", left.isEmpty(),
        "paying buyers' demand " + demand + " tickets for capacity " + capacity + ", sold " + stats.getLong("sold", 0L)
            + (left.isEmpty() ? "" : "; " + String.join(", ", left))
            + (progress.failed.get() > 0 ? "; " + progress.failed.get() + " buyers failed" : ""));
  }

  private static String sample(java.util.Collection<?> items) {
    return items.stream().limit(5).map(String::valueOf).collect(Collectors.joining(", "))
        + (items.size() > 5 ? " and " + (items.size() - 5) + " more" : "");
  }
}
