package dev.onsale.ops;

/** Why a job queue's alert fires; a queue may have both at once. */
public enum AlertReason {
  /** More jobs not done than the queue's threshold. */
  BACKLOG("backlog"),
  /** Within the last minute at least three tries failed and none succeeded. */
  FAILING("failing");

  private final String tag;

  AlertReason(String tag) {
    this.tag = tag;
  }

  public String tag() {
    return tag;
  }
}
