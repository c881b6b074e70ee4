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
    Follow follow,
    int connections,
    int shopConnections,
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
    String label,
    Pay pay,
    Origin origin) {

  enum Mode {
    FULL, RESERVE_ONLY, ORDER_ONLY, JOIN_ONLY,
    /**
     * Buyers join, then wait as the queue page does (the public state, their own status when their
     * turn may have come) and stop once admitted; the run measures what the waiting crowd costs
     * the origin over a window after the sale started.
     */
    CROWD;

    /** A fixed number of requests in flight for a fixed time, waiting room off (not buyers arriving). */
    boolean closedLoop() {
      return this == RESERVE_ONLY || this == ORDER_ONLY;
    }
  }

  enum Arrival { ALL, RAMP }

  /**
   * The Onsale instance behind the address the buyers use (nginx in front of it, say), read at the
   * edges of a crowd run's window: its {@code /metrics} for the requests it answered, and its
   * process's CPU time when it runs on this machine.
   *
   * @param url the instance's own address, or null to skip the request count
   * @param pid the instance's process id, or null to skip the CPU time
   */
  record Origin(String url, Long pid) {}

  /**
   * How a waiting buyer follows the queue. {@code PAGE} as the queue page does: the public state
   * document, spaced by its {@code refreshSeconds} and the distance to the front, and the buyer's
   * own status only when its turn may have come. {@code STATUS}: the buyer's own status on every
   * poll, with the {@code --poll-min-ms}/{@code --poll-max-ms} back-off (the bench before the
   * public state existed; it costs the origin a token check and a Redis read per poll).
   */
  enum Follow { PAGE, STATUS }

  /**
   * How buyers pay a priced order through the {@code test} provider. Shares are of the buyers
   * whose order asks for a payment; the rest pay at once.
   *
   * @param on pay orders that ask for it (off: leave every pending order unpaid)
   * @param free create the event with free tickets (priceCents 0): orders are paid when placed
   * @param declineShare decline once, then pay a new attempt
   * @param abandonShare open the pay page and never pay
   * @param lateShare open the pay page, wait past the window's end, then pay
   * @param lateByMillis how far past {@code payment.expiresAt} a late buyer presses "Pay"
   * @param paymentSeconds the created event's payment window
   * @param graceSeconds the created event's grace after the window
   */
  record Pay(boolean on, boolean free, double declineShare, double abandonShare, double lateShare, int lateByMillis,
             int paymentSeconds, int graceSeconds) {

    /** What one buyer will do with its payment, drawn once from the shares. */
    enum Plan { PAY, DECLINE_THEN_PAY, ABANDON, LATE }

    Plan draw(double u) {
      if (u < declineShare) {
        return Plan.DECLINE_THEN_PAY;
      }
      if (u < declineShare + abandonShare) {
        return Plan.ABANDON;
      }
      if (u < declineShare + abandonShare + lateShare) {
        return Plan.LATE;
      }
      return Plan.PAY;
    }
  }

  /**
   * How long the run may go on, in milliseconds: a closed-loop run's warm-up and then its full
   * recorded duration; a full run until its timeout.
   */
  long runMillis() {
    if (mode == Mode.CROWD) {
      return crowdWindowStartMillis() + durationSeconds * 1000L;
    }
    return (mode.closedLoop() ? (long) warmupSeconds + durationSeconds : timeoutSeconds) * 1000L;
  }

  /** A crowd run's window opens {@code --warmup} seconds after the sale started (the first polls of the sale are spread over those). */
  long crowdWindowStartMillis() {
    return ((long) saleDelaySeconds + warmupSeconds) * 1000L;
  }

  /** When buyer {@code index} arrives, in milliseconds after the run starts. */
  long arrivalMillis(int index) {
    if (arrival == Arrival.ALL || buyers <= 1) {
      return 0;
    }
    return (long) index * rampSeconds * 1000L / buyers;
  }
}
