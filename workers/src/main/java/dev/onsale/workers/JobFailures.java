package dev.onsale.workers;

/** Failures a handler can signal besides an ordinary (retried) one. */
public final class JobFailures {

  private JobFailures() {}

  /** Retrying cannot help (unknown job type, malformed payload): straight to the dead letters. */
  public static final class Permanent extends RuntimeException {
    public Permanent(String message) {
      super(message, null, false, false);
    }
  }

  /** Something the job needs is not there yet (e.g. the PDFs a mail attaches): try again later. */
  public static final class NotReady extends RuntimeException {
    public NotReady(String message) {
      super(message, null, false, false);
    }
  }

  public static Permanent permanent(String message) {
    return new Permanent(message);
  }

  public static NotReady notReady(String message) {
    return new NotReady(message);
  }
}
