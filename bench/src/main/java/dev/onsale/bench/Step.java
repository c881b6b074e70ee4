package dev.onsale.bench;

/** The HTTP calls a simulated buyer makes, in the order of the buyer's path. */
public enum Step {
  JOIN("join"),
  /** The public queue state ({@code GET .../queue/state}), the same document for every waiting buyer. */
  STATE("queue state"),
  /** The buyer's own queue status, asked when its turn may have come (or on every poll with {@code --follow status}). */
  STATUS("status"),
  RESERVE("reserve"),
  ORDER("order"),
  /** Open {@code payment.url} (its 303 counted, not followed) and press "Pay" or "Decline": one sample. */
  PAY("pay"),
  /** A new payment attempt after a decline ({@code POST /api/v1/orders/{code}/payment}). */
  ATTEMPT("new attempt"),
  FETCH("fetch order");

  private final String label;

  Step(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public String key() {
    return name().toLowerCase();
  }
}
