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
 * orders, reservations) with the organizer's stats: nothing oversold, no ticket in two orders,
 * every order's tickets exist, and everything sold when demand exceeded capacity.
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
    c.noTicketInTwoOrders(ledger);
    c.ordersMatchStats(ledger, stats);
    if (settings.fetchOrders()) {
      c.everyOrdersTicketsExist(event, ledger);
    }
    c.soldOutWhenDemandExceeds(event, stats, ledger, progress, settings);
    return c.checks;
  }

  /** Joining sells nothing: every buyer got a place and not a ticket moved. */
  static List<Check> joinOnly(JsonObject stats, Progress progress, Settings settings) {
    IntegrityCheck c = new IntegrityCheck();
    c.add("every buyer joined", progress.joined.get() == settings.buyers(),
        progress.joined.get() + " of " + settings.buyers() + " joined");
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

  /** The organizer's order list names exactly the buyers' orders, each with its number of tickets. */
  static Check adminOrders(Map<String, Long> listed, Ledger ledger) {
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    List<String> wrongCount = new ArrayList<>();
    ledger.orders.values().forEach(order -> {
      Long count = listed.get(order.code());
      if (count == null) {
        missing.add(order.code());
      } else if (count >= 0 && count != order.tickets().size()) {
        wrongCount.add(order.code());
      }
    });
    listed.keySet().stream().filter(code -> !ledger.orders.containsKey(code)).forEach(extra::add);
    boolean ok = missing.isEmpty() && extra.isEmpty() && wrongCount.isEmpty();
    return new Check("the organizer's order list matches the buyers' orders", ok,
        listed.size() + " paid orders listed, " + ledger.orders.size() + " placed"
            + (missing.isEmpty() ? "" : "; not listed: " + sample(missing))
            + (extra.isEmpty() ? "" : "; listed but not placed by the buyers: " + sample(extra))
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
    List<String> over = new ArrayList<>();
    JsonArray categories = stats.getJsonArray("categories", new JsonArray());
    for (int i = 0; i < categories.size(); i++) {
      JsonObject c = categories.getJsonObject(i);
      if (c.getLong("sold", 0L) + c.getLong("held", 0L) > c.getLong("capacity", Long.MAX_VALUE)) {
        over.add(String.valueOf(c.getValue("id")));
      }
    }
    add("never oversold", sold + held <= capacity && over.isEmpty(),
        "capacity " + capacity + ", sold " + sold + ", held " + held
            + (over.isEmpty() ? "" : "; over capacity in categories " + over));
  }

  private void noTicketInTwoOrders(Ledger ledger) {
    Map<Long, String> owner = new HashMap<>();
    Set<Long> twice = new HashSet<>();
    ledger.orders.values().forEach(order -> order.tickets().forEach(t -> {
      String previous = owner.putIfAbsent(t.id(), order.code());
      if (previous != null && !previous.equals(order.code())) {
        twice.add(t.id());
      }
    }));
    add("no ticket sold twice", twice.isEmpty(),
        ledger.orders.size() + " orders hold " + owner.size() + " distinct tickets"
            + (twice.isEmpty() ? "" : "; in two orders: " + sample(twice)));
  }

  private void ordersMatchStats(Ledger ledger, JsonObject stats) {
    long ticketsInOrders = ledger.orders.values().stream().mapToLong(o -> o.tickets().size()).sum();
    long sold = stats.getLong("sold", -1L);
    add("sold equals the tickets in the buyers' orders", sold == ticketsInOrders,
        "stats sold " + sold + ", tickets in orders " + ticketsInOrders);
    if (stats.containsKey("orders")) {
      long orders = stats.getLong("orders");
      add("order count matches", orders == ledger.orders.size(),
          "stats orders " + orders + ", orders placed " + ledger.orders.size());
    }
  }

  private void everyOrdersTicketsExist(EventInfo event, Ledger ledger) {
    List<String> missing = new ArrayList<>();
    List<String> different = new ArrayList<>();
    List<String> badCategory = new ArrayList<>();
    for (Ledger.OrderSeen order : ledger.orders.values()) {
      Ledger.OrderSeen fetched = ledger.fetched.get(order.code());
      if (fetched == null) {
        missing.add(order.code());
        continue;
      }
      Set<Long> given = order.tickets().stream().map(Ledger.Ticket::id).collect(Collectors.toSet());
      Set<Long> shown = fetched.tickets().stream().map(Ledger.Ticket::id).collect(Collectors.toSet());
      if (!given.equals(shown) || given.isEmpty()) {
        different.add(order.code());
      }
      fetched.tickets().stream()
          .filter(t -> t.categoryId() >= 0 && !event.hasCategory(t.categoryId()))
          .findAny()
          .ifPresent(t -> badCategory.add(order.code()));
    }
    boolean ok = missing.isEmpty() && different.isEmpty() && badCategory.isEmpty();
    add("every order's tickets exist", ok,
        ledger.fetched.size() + " of " + ledger.orders.size() + " orders fetched back with their tickets"
            + (missing.isEmpty() ? "" : "; not fetched: " + sample(missing))
            + (different.isEmpty() ? "" : "; tickets differ: " + sample(different))
            + (badCategory.isEmpty() ? "" : "; unknown category: " + sample(badCategory)));
  }

  /**
   * When buyers asked for more than there was, every category must end sold out, up to a remainder
   * smaller than the largest request (all items of a request are reserved or none).
   */
  private void soldOutWhenDemandExceeds(EventInfo event, JsonObject stats, Ledger ledger, Progress progress, Settings settings) {
    long demand = ledger.ticketsRequested.get();
    long capacity = stats.getLong("capacity", (long) event.capacity());
    if (demand < capacity) {
      add("sold = capacity when demand exceeds it", true,
          "not applicable: demand " + demand + " < capacity " + capacity);
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
        "demand " + demand + " tickets for capacity " + capacity + ", sold " + stats.getLong("sold", 0L)
            + (left.isEmpty() ? "" : "; " + String.join(", ", left))
            + (progress.failed.get() > 0 ? "; " + progress.failed.get() + " buyers failed" : ""));
  }

  private static String sample(java.util.Collection<?> items) {
    return items.stream().limit(5).map(String::valueOf).collect(Collectors.joining(", "))
        + (items.size() > 5 ? " and " + (items.size() - 5) + " more" : "");
  }
}
