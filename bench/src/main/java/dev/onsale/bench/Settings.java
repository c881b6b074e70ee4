package dev.onsale.bench;

import java.nio.file.Path;

/** One run's parameters, as the command line gave them. */
record Settings(
    String baseUrl,
    String adminToken,
    Long eventId,
    Mode mode,
    int buyers,
    int tickets,
    int categories,
    int ratePerMinute,
    int maxActiveShoppers,
    int holdSeconds,
    int maxTicketsPerOrder,
    int quantity,
    int quantityMax,
    boolean waitingRoom,
    int saleDelaySeconds,
    Arrival arrival,
    int rampSeconds,
    int thinkMillis,
    int pollMinMillis,
    int pollMaxMillis,
    int connections,
    int eventLoops,
    int timeoutSeconds,
    int durationSeconds,
    int concurrency,
    int warmupSeconds,
    int requestTimeoutMillis,
    boolean fetchOrders,
    int awaitPdfsSeconds,
    int maxRetries,
    boolean idempotencyKeys,
    boolean serverInvariants,
    Path out,
    boolean quiet,
    String label) {

  enum Mode { FULL, RESERVE_ONLY, JOIN_ONLY }

  enum Arrival { ALL, RAMP }

  /** When buyer {@code index} arrives, in milliseconds after the run starts. */
  long arrivalMillis(int index) {
    if (arrival == Arrival.ALL || buyers <= 1) {
      return 0;
    }
    return (long) index * rampSeconds * 1000L / buyers;
  }
}
