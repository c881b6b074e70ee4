package dev.onsale.common;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which parts one process runs: {@code web}, {@code ops}, {@code workers} (every job queue) or
 * {@code workers:<queue>} for a single queue, so each queue can be scaled on its own machines.
 */
public record Roles(boolean web, boolean ops, Set<JobQueue> workerQueues, boolean relay) {

  public static Roles parse(String text) {
    boolean web = false;
    boolean ops = false;
    boolean relay = false;
    Set<JobQueue> queues = new LinkedHashSet<>();
    for (String raw : text.split(",")) {
      String role = raw.trim().toLowerCase();
      if (role.isEmpty()) {
        continue;
      }
      if (role.equals("web")) {
        web = true;
      } else if (role.equals("ops")) {
        ops = true;
      } else if (role.equals("workers")) {
        queues.addAll(Set.of(JobQueue.values()));
        relay = true;
      } else if (role.equals("relay")) {
        relay = true;
      } else if (role.startsWith("workers:")) {
        queues.add(JobQueue.fromName(role.substring("workers:".length())));
        relay = true;
      } else {
        throw new IllegalArgumentException(
            "unknown role '" + role + "' in ONSALE_ROLES (use web, ops, workers, workers:<queue>, relay)");
      }
    }
    return new Roles(web, ops, Set.copyOf(queues), relay);
  }

  public boolean workers() {
    return !workerQueues.isEmpty();
  }
}
