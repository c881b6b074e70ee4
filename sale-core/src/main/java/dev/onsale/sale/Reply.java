package dev.onsale.sale;

import io.vertx.core.json.JsonObject;

/** A JSON answer not yet written, so that it can be kept for an Idempotency-Key replay. */
public record Reply(int status, JsonObject body) {}
