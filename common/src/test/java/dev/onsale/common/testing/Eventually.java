package dev.onsale.common.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting, from a test thread, for something the system under test does on its own time. */
public final class Eventually {

  private Eventually() {}

  /** Polls until the condition holds, failing after the timeout with what was awaited. */
  public static void eventually(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
