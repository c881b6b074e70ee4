package dev.onsale.common;

import java.util.Arrays;

/** The job streams. Each has its own consumer group and workers so one cannot starve another. */
public enum JobQueue {
  TICKETS("tickets"),
  MAIL("mail"),
  WEBHOOKS("webhooks"),
  BACKGROUND("background"),
  PAYMENTS("payments");

  private final String streamName;

  JobQueue(String streamName) {
    this.streamName = streamName;
  }

  public String streamName() {
    return streamName;
  }

  public static JobQueue fromName(String name) {
    return Arrays.stream(values())
        .filter(q -> q.streamName.equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "unknown job queue '" + name + "' (use tickets, mail, webhooks, background or payments)"));
  }
}
