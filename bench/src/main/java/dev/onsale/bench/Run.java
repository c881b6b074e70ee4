package dev.onsale.bench;

import io.vertx.core.Vertx;

/** What a buyer needs from its run: settings, the event, its driver's API client and the shared tallies. */
record Run(Settings settings, EventInfo event, OnsaleApi api, Progress progress, Ledger ledger, RunClock clock, Vertx vertx) {}
