package dev.onsale.common.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started, closed at its end whatever the outcome: in reverse order of adding, each one
 * even when one before it fails.
 */
public final class Closer implements AutoCloseable {

  private final List<AutoCloseable> resources = new ArrayList<>();

  /** Registers the resource to be closed and answers it. */
  public synchronized <T extends AutoCloseable> T add(T resource) {
    resources.add(resource);
    return resource;
  }

  /** Closes everything added so far, newest first, and answers what failed (an empty list when nothing did). */
  public List<Throwable> closeAll() {
    List<AutoCloseable> toClose;
    synchronized (this) {
      toClose = new ArrayList<>(resources);
      resources.clear();
    }
    List<Throwable> failures = new ArrayList<>();
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception | Error e) {
        failures.add(e);
      }
    }
    return failures;
  }

  /** Closes everything, then throws the first failure with the others suppressed. */
  @Override
  public void close() {
    List<Throwable> failures = closeAll();
    if (failures.isEmpty()) {
      return;
    }
    Throwable first = failures.get(0);
    failures.stream().skip(1).forEach(first::addSuppressed);
    if (first instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (first instanceof Error error) {
      throw error;
    }
    throw new IllegalStateException(first);
  }
}
