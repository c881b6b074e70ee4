package dev.onsale.sale;

/** One ticket held for a reservation, or sold with an order. */
public record HeldTicket(long id, long categoryId) {}
