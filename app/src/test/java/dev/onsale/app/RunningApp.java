package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Services;
import dev.onsale.common.WebModule;
import dev.onsale.common.testing.Closer;
import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.TestHttp;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Onsale in-process as the launcher starts it, with an HTTP client on its port. What the test
 * started beside it (a disposable PostgreSQL and its proxy, before it; a browser, after it) shares
 * its {@link Closer}: closing the app closes all of them, newest first, whatever the outcome.
 */
final class RunningApp implements AutoCloseable {

  final OnsaleApp app;
  final TestHttp http;
  private final Closer closer;

  private RunningApp(OnsaleApp app, TestHttp http, Closer closer) {
    this.app = app;
    this.http = http;
    this.closer = closer;
  }

  static RunningApp start(OnsaleConfig config) {
    return start(new Closer(), config, List.of());
  }

  static RunningApp start(OnsaleConfig config, List<Function<Services, WebModule>> extraRoutes) {
    return start(new Closer(), config, extraRoutes);
  }

  /** Started after what {@code beside} holds, which is closed after the app; closed at once when the app fails to start. */
  static RunningApp start(Closer beside, OnsaleConfig config) {
    return start(beside, config, List.of());
  }

  static RunningApp start(Closer beside, OnsaleConfig config, List<Function<Services, WebModule>> extraRoutes) {
    try {
      OnsaleApp app = await(OnsaleApp.start(config, extraRoutes));
      beside.add(() -> await(app.stop()));
      TestHttp http = beside.add(new TestHttp(app.port()));
      return new RunningApp(app, http, beside);
    } catch (RuntimeException | Error e) {
      beside.closeAll().forEach(e::addSuppressed);
      throw e;
    }
  }

  /** Something the test starts while the app runs (a browser): closed before the app. */
  <T extends AutoCloseable> T add(T resource) {
    return closer.add(resource);
  }

  int port() {
    return app.port();
  }

  Services services() {
    return app.services();
  }

  String base() {
    return "http://127.0.0.1:" + app.port();
  }

  /** The organizer's Authorization header. */
  Map<String, String> admin() {
    return TestEvents.admin(app.services().config().adminToken());
  }

  @Override
  public void close() {
    closer.close();
  }
}
