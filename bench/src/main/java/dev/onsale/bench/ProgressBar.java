package dev.onsale.bench;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on stderr, redrawn in place; on a pipe it prints a line every few seconds. */
final class ProgressBar {

  private static final int WIDTH = 30;

  private final Settings settings;
  private final Progress progress;
  private final RunClock clock;
  private final PrintStream out;
  private final boolean terminal;
  private long lastLineMillis;
  private long lastReserved;
  private long lastMillis;

  ProgressBar(Settings settings, Progress progress, RunClock clock, PrintStream out) {
    this.settings = settings;
    this.progress = progress;
    this.clock = clock;
    this.out = out;
    this.terminal = System.console() != null;
  }

  void tick() {
    long now = clock.elapsedMillis();
    if (!terminal && now - lastLineMillis < 5_000) {
      return;
    }
    lastLineMillis = now;
    out.print((terminal ? "\r" : "") + line(now) + (terminal ? "\u001b[K" : "\n"));
    out.flush();
  }

  void finish() {
    out.print((terminal ? "\r" : "") + line(clock.elapsedMillis()) + (terminal ? "\u001b[K\n" : "\n"));
    out.flush();
  }

  private String line(long now) {
    double seconds = now / 1000.0;
    if (settings.mode().closedLoop()) {
      long reserved = progress.reserved.get();
      double rate = now > lastMillis ? (reserved - lastReserved) * 1000.0 / (now - lastMillis) : 0;
      lastReserved = reserved;
      lastMillis = now;
      long total = settings.runMillis() / 1000;
      double fraction = Math.min(1, seconds / Math.max(1, total));
      return String.format(Locale.ROOT, "%s %5.1f/%d s | reservations %d (%.0f/s now) | tickets %d | orders %d | errors %d",
          bar(fraction), seconds, total, reserved, rate, progress.ticketsReserved.get(),
          progress.ordered.get(), progress.errors.get());
    }
    long finished = progress.finished.get();
    double fraction = settings.buyers() == 0 ? 1 : finished / (double) settings.buyers();
    return String.format(Locale.ROOT,
        "%s %d/%d buyers | joined %d admitted %d reserved %d ordered %d paid %d sold out %d failed %d | errors %d | %.1f s",
        bar(fraction), finished, settings.buyers(), progress.joined.get(), progress.admitted.get(),
        progress.reserved.get(), progress.ordered.get(), progress.paid.get(), progress.soldOut.get(), progress.failed.get(),
        progress.errors.get(), seconds);
  }

  private static String bar(double fraction) {
    int filled = (int) Math.round(fraction * WIDTH);
    return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
        + String.format(Locale.ROOT, "%3d%%", Math.round(fraction * 100));
  }
}
