package dev.onsale.sale;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A hold on tickets until {@code expiresAt}: what a reservation gives its buyer. */
public record Hold(UUID id, long eventId, Instant expiresAt, List<HeldTicket> tickets) {}
