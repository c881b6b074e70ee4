package dev.onsale.sale;

import static dev.onsale.common.RequestBodies.onlyFields;
import static dev.onsale.common.RequestBodies.optionalBoolean;
import static dev.onsale.common.RequestBodies.optionalInstant;
import static dev.onsale.common.RequestBodies.optionalInt;
import static dev.onsale.common.RequestBodies.optionalString;
import static dev.onsale.common.RequestBodies.objectAt;
import static dev.onsale.common.RequestBodies.requireArray;
import static dev.onsale.common.RequestBodies.requireInstant;
import static dev.onsale.common.RequestBodies.requireInt;
import static dev.onsale.common.RequestBodies.requireString;

import dev.onsale.common.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and validates the organizer's event documents: every field checked, every bound named. */
final class EventInput {

  static final int MAX_CAPACITY = 1_000_000;
  static final int MAX_CATEGORIES = 50;
  static final int MAX_TICKETS_PER_ORDER = 100;
  private static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final Set<String> EVENT_FIELDS = Set.of(
      "name", "slug", "venue", "startsAt", "queueOpensAt", "saleStartsAt", "saleEndsAt",
      "admissionRatePerMinute", "maxActiveShoppers", "maxTicketsPerOrder", "holdSeconds",
      "waitingRoom", "preQueue", "categories", "paused", "paymentSeconds", "paymentGraceSeconds",
      "timeZone", "joinChallenge", "powDifficulty");
  static final int MIN_PAYMENT_SECONDS = 30;
  /** Stripe's Checkout needs time for 3-D Secure and a slow bank: no window under five minutes. */
  static final int MIN_STRIPE_PAYMENT_SECONDS = 300;
  static final int MAX_PAYMENT_SECONDS = 86_400;
  static final int MAX_GRACE_SECONDS = 3600;
  private static final Set<String> CATEGORY_FIELDS = Set.of("id", "name", "priceCents", "currency", "capacity");

  private EventInput() {}

  /** A new event as the organizer described it, not yet stored. */
  record NewEvent(
      String slug, String name, String venue, Instant startsAt, Instant queueOpensAt,
      Instant saleStartsAt, Instant saleEndsAt, int admissionRatePerMinute, int maxActiveShoppers,
      int maxTicketsPerOrder, int holdSeconds, boolean waitingRoom, String preQueue,
      Event.Payment payment, String timeZone, Event.JoinChallenge joinChallenge,
      List<NewCategory> categories) {}

  record NewCategory(String name, int priceCents, String currency, int capacity) {}

  /** A change to an event: its new settings (merged with the current ones) and category changes. */
  record Change(Event updated, List<Resize> resizes, List<NewCategory> added) {}

  record Resize(long categoryId, int from, int to) {}

  static NewEvent parseNew(JsonObject json, int minPaymentSeconds) {
    onlyFields(json, EVENT_FIELDS, "");
    if (json.containsKey("paused")) {
      throw ApiException.invalid("paused", "a new event cannot be paused; PATCH it after creation");
    }
    String slug = requireString(json, "slug", 1, 64);
    checkSlug(slug);
    List<NewCategory> categories = parseCategories(requireArray(json, "categories", 1, MAX_CATEGORIES), "categories");
    checkCategories(categories, List.of());
    String timeZone = timeZone(json, "UTC");
    ZoneId zone = ZoneId.of(timeZone);
    NewEvent event = new NewEvent(
        slug,
        requireString(json, "name", 1, 200),
        requireString(json, "venue", 1, 200),
        requireInstant(json, "startsAt", zone),
        requireInstant(json, "queueOpensAt", zone),
        requireInstant(json, "saleStartsAt", zone),
        requireInstant(json, "saleEndsAt", zone),
        requireInt(json, "admissionRatePerMinute", 1, 1_000_000),
        requireInt(json, "maxActiveShoppers", 1, 1_000_000),
        optionalInt(json, "maxTicketsPerOrder", 1, MAX_TICKETS_PER_ORDER, 10),
        optionalInt(json, "holdSeconds", 30, 3600, 600),
        onOff(json, true),
        preQueue(json, "fifo"),
        payment(json, Event.Payment.DEFAULT, minPaymentSeconds),
        timeZone,
        joinChallenge(json, Event.JoinChallenge.NONE),
        categories);
    checkSchedule(event.queueOpensAt(), event.saleStartsAt(), event.saleEndsAt(), event.startsAt());
    return event;
  }

  static Change parseChange(JsonObject json, Event current, int minPaymentSeconds) {
    onlyFields(json, EVENT_FIELDS, "");
    if (json.isEmpty()) {
      throw ApiException.badRequest("empty_change", "name at least one field to change");
    }
    if (json.containsKey("slug") && !current.slug().equals(json.getValue("slug"))) {
      throw ApiException.invalid("slug", "cannot change: buyers' links use it");
    }
    // Local times are read in the zone the event will have: a new one given with them, or its own.
    String timeZone = timeZone(json, current.timeZone());
    ZoneId zone = ZoneId.of(timeZone);
    Event updated = new Event(
        current.id(),
        current.slug(),
        optionalString(json, "name", 200, current.name()),
        optionalString(json, "venue", 200, current.venue()),
        optionalInstant(json, "startsAt", zone, current.startsAt()),
        optionalInstant(json, "queueOpensAt", zone, current.queueOpensAt()),
        optionalInstant(json, "saleStartsAt", zone, current.saleStartsAt()),
        optionalInstant(json, "saleEndsAt", zone, current.saleEndsAt()),
        optionalInt(json, "admissionRatePerMinute", 1, 1_000_000, current.admissionRatePerMinute()),
        optionalInt(json, "maxActiveShoppers", 1, 1_000_000, current.maxActiveShoppers()),
        optionalInt(json, "maxTicketsPerOrder", 1, MAX_TICKETS_PER_ORDER, current.maxTicketsPerOrder()),
        optionalInt(json, "holdSeconds", 30, 3600, current.holdSeconds()),
        onOff(json, current.waitingRoom()),
        preQueue(json, current.preQueue()),
        optionalBoolean(json, "paused", current.paused()),
        payment(json, current.payment(), minPaymentSeconds),
        timeZone,
        joinChallenge(json, current.joinChallenge()),
        current.categories());
    if (updated.name().isEmpty() || updated.venue().isEmpty()) {
      throw ApiException.invalid(updated.name().isEmpty() ? "name" : "venue", "must not be empty");
    }
    checkSchedule(updated.queueOpensAt(), updated.saleStartsAt(), updated.saleEndsAt(), updated.startsAt());
    List<Resize> resizes = new ArrayList<>();
    List<NewCategory> added = new ArrayList<>();
    if (json.containsKey("categories")) {
      JsonArray array = requireArray(json, "categories", 1, MAX_CATEGORIES);
      for (int i = 0; i < array.size(); i++) {
        JsonObject item = objectAt(array, i, "categories");
        if (item.containsKey("id")) {
          resizes.add(parseResize(item, current, "categories[" + i + "]"));
        } else {
          added.add(parseCategory(item, "categories[" + i + "]"));
        }
      }
      if (resizes.stream().map(Resize::categoryId).distinct().count() != resizes.size()) {
        throw ApiException.invalid("categories", "names a category twice");
      }
      checkCategories(added, current.categories());
    }
    return new Change(updated, resizes, added);
  }

  private static Resize parseResize(JsonObject item, Event current, String where) {
    onlyFields(item, Set.of("id", "capacity"), where);
    long id = dev.onsale.common.RequestBodies.requireLong(item, "id", 1, Long.MAX_VALUE);
    Event.Category category = current.category(id)
        .orElseThrow(() -> ApiException.invalid(where + ".id", "no such category in this event"));
    int capacity = requireInt(item, "capacity", 1, MAX_CAPACITY);
    return new Resize(id, category.capacity(), capacity);
  }

  private static List<NewCategory> parseCategories(JsonArray array, String field) {
    List<NewCategory> categories = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      categories.add(parseCategory(objectAt(array, i, field), field + "[" + i + "]"));
    }
    return categories;
  }

  private static NewCategory parseCategory(JsonObject item, String where) {
    onlyFields(item, CATEGORY_FIELDS, where);
    if (item.containsKey("id")) {
      throw ApiException.invalid(where + ".id", "a new category has no id");
    }
    try {
      String currency = requireString(item, "currency", 3, 3);
      if (!CURRENCY.matcher(currency).matches()) {
        throw ApiException.invalid("currency", "must be an ISO 4217 code such as EUR");
      }
      return new NewCategory(
          requireString(item, "name", 1, 100),
          requireInt(item, "priceCents", 0, 100_000_000),
          currency,
          requireInt(item, "capacity", 1, MAX_CAPACITY));
    } catch (ApiException e) {
      throw ApiException.badRequest("invalid_field", where + "." + e.getMessage())
          .withDetails(new JsonObject().put("field", where));
    }
  }

  /** Category names are unique within an event, and one order is paid in one currency. */
  private static void checkCategories(List<NewCategory> added, List<Event.Category> existing) {
    Set<String> names = new HashSet<>();
    Set<String> currencies = new HashSet<>();
    existing.forEach(c -> {
      names.add(c.name().toLowerCase());
      currencies.add(c.currency());
    });
    for (NewCategory c : added) {
      if (!names.add(c.name().toLowerCase())) {
        throw ApiException.invalid("categories", "category name '" + c.name() + "' is used twice");
      }
      currencies.add(c.currency());
    }
    if (currencies.size() > 1) {
      throw ApiException.invalid("categories", "all categories of an event must use one currency");
    }
    if (existing.size() + added.size() > MAX_CATEGORIES) {
      throw ApiException.invalid("categories", "an event has at most " + MAX_CATEGORIES + " categories");
    }
  }

  private static void checkSlug(String slug) {
    if (!SLUG.matcher(slug).matches()) {
      throw ApiException.invalid("slug", "use 1-64 lower-case letters, digits and inner hyphens");
    }
  }

  private static void checkSchedule(Instant queueOpens, Instant saleStarts, Instant saleEnds, Instant startsAt) {
    if (queueOpens.isAfter(saleStarts)) {
      throw ApiException.invalid("queueOpensAt", "must not be after saleStartsAt");
    }
    if (!saleStarts.isBefore(saleEnds)) {
      throw ApiException.invalid("saleEndsAt", "must be after saleStartsAt");
    }
    if (startsAt.isBefore(saleStarts)) {
      throw ApiException.invalid("startsAt", "must not be before saleStartsAt");
    }
  }

  private static Event.Payment payment(JsonObject json, Event.Payment fallback, int minPaymentSeconds) {
    int seconds = optionalInt(json, "paymentSeconds", MIN_PAYMENT_SECONDS, MAX_PAYMENT_SECONDS, fallback.seconds());
    if (seconds < minPaymentSeconds) {
      throw ApiException.invalid("paymentSeconds",
          "must be at least " + minPaymentSeconds + " with this deployment's payment provider");
    }
    return new Event.Payment(seconds, optionalInt(json, "paymentGraceSeconds", 0, MAX_GRACE_SECONDS, fallback.graceSeconds()));
  }

  /** An IANA zone such as Europe/Berlin (or UTC): pages, PDFs and mails show the event's times in it. */
  private static String timeZone(JsonObject json, String fallback) {
    String zone = optionalString(json, "timeZone", 64, fallback);
    if (!"UTC".equals(zone) && !ZoneId.getAvailableZoneIds().contains(zone)) {
      throw ApiException.invalid("timeZone", "must be an IANA time zone this server knows, such as Europe/Berlin");
    }
    return zone;
  }

  private static Event.JoinChallenge joinChallenge(JsonObject json, Event.JoinChallenge fallback) {
    Object kind = json.getValue("joinChallenge");
    if (kind != null && !"none".equals(kind) && !"pow".equals(kind)) {
      throw ApiException.invalid("joinChallenge", "must be \"none\" or \"pow\"");
    }
    return new Event.JoinChallenge(kind == null ? fallback.kind() : (String) kind,
        optionalInt(json, "powDifficulty", 1, 32, fallback.difficulty()));
  }

  private static boolean onOff(JsonObject json, boolean fallback) {
    Object value = json.getValue("waitingRoom");
    if (value == null) {
      return fallback;
    }
    if ("on".equals(value)) {
      return true;
    }
    if ("off".equals(value)) {
      return false;
    }
    throw ApiException.invalid("waitingRoom", "must be \"on\" or \"off\"");
  }

  private static String preQueue(JsonObject json, String fallback) {
    Object value = json.getValue("preQueue");
    if (value == null) {
      return fallback;
    }
    if ("fifo".equals(value) || "random".equals(value)) {
      return (String) value;
    }
    throw ApiException.invalid("preQueue", "must be \"fifo\" or \"random\"");
  }
}
