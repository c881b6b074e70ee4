package dev.onsale.sale;

/** Thrown when a category has fewer free tickets than asked for. */
public final class SoldOut extends RuntimeException {
  private final long categoryId;

  public SoldOut(long categoryId) {
    super("not enough tickets in category " + categoryId, null, false, false);
    this.categoryId = categoryId;
  }

  public long categoryId() {
    return categoryId;
  }
}
