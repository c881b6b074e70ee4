package dev.onsale.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The event under test: its id, whether the waiting room guards it, its categories. */
record EventInfo(long id, String slug, boolean waitingRoom, List<Category> categories) {

  record Category(long id, String name, int capacity) {}

  static EventInfo fromJson(JsonObject json) {
    List<Category> categories = new ArrayList<>();
    JsonArray array = json.getJsonArray("categories", new JsonArray());
    for (int i = 0; i < array.size(); i++) {
      JsonObject c = array.getJsonObject(i);
      categories.add(new Category(c.getLong("id"), c.getString("name", "category " + i), c.getInteger("capacity", 0)));
    }
    Object waitingRoom = json.getValue("waitingRoom", "on");
    boolean on = waitingRoom instanceof Boolean b ? b : !"off".equals(String.valueOf(waitingRoom));
    return new EventInfo(json.getLong("id"), json.getString("slug", ""), on, List.copyOf(categories));
  }

  int capacity() {
    return categories.stream().mapToInt(Category::capacity).sum();
  }

  boolean hasCategory(long categoryId) {
    return categories.stream().anyMatch(c -> c.id() == categoryId);
  }

  JsonObject toJson() {
    JsonArray array = new JsonArray();
    categories.forEach(c -> array.add(new JsonObject().put("id", c.id()).put("name", c.name()).put("capacity", c.capacity())));
    return new JsonObject().put("id", id).put("slug", slug).put("waitingRoom", waitingRoom ? "on" : "off")
        .put("capacity", capacity()).put("categories", array);
  }
}
