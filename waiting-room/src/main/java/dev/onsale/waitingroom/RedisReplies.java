package dev.onsale.waitingroom;

import dev.onsale.common.EventMeta;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;

/** Reads RESP2 replies (the protocol every module uses) into plain Java values. */
final class RedisReplies {

  private RedisReplies() {}

  /** An HGETALL reply (a flat array of field, value pairs in RESP2) as a map; empty for none. */
  static Map<String, String> hash(Response reply) {
    Map<String, String> map = new HashMap<>();
    if (reply == null) {
      return map;
    }
    if (reply.isMap()) {
      for (String key : reply.getKeys()) {
        map.put(key, reply.get(key).toString());
      }
      return map;
    }
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      map.put(reply.get(i).toString(), reply.get(i + 1).toString());
    }
    return map;
  }

  static long longOr(Response reply, long fallback) {
    if (reply == null) {
      return fallback;
    }
    try {
      return Long.parseLong(reply.toString());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  static long longOf(Map<String, String> hash, String field, long fallback) {
    return EventMeta.number(hash, field, fallback);
  }
}
