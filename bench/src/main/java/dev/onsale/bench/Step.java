package dev.onsale.bench;

/** The HTTP calls a simulated buyer makes, in the order of the buyer's path. */
public enum Step {
  JOIN("join"),
  STATUS("status"),
  RESERVE("reserve"),
  ORDER("order"),
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
