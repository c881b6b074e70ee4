package dev.onsale.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * On a Redis Cluster a script may only touch keys of one hash slot. Every multi-key script Onsale
 * runs takes its keys from one group: the keys of one event, or the keys of one job queue. These
 * tests compute the slot of every key of each group the way Redis does (CRC16 of the hash tag,
 * modulo 16384); a key added to a group without the group's tag fails them.
 */
@DisplayName("Redis keys used together share one hash slot, so the scripts run on a Redis Cluster")
class RedisKeysSlotTest {

  private static final RedisKeys KEYS = new RedisKeys("onsale:");

  @Test
  @DisplayName("the slot function agrees with Redis's own examples")
  void slotFunctionMatchesRedis() {
    // From the Redis Cluster specification: CRC16("123456789") = 0x31C3.
    assertThat(slot("123456789")).isEqualTo(0x31C3 % 16384);
    assertThat(slot("{user1000}.following")).isEqualTo(slot("{user1000}.followers")).isEqualTo(slot("user1000"));
    assertThat(slot("foo{}{bar}")).isEqualTo(slot("foo{}{bar}")).isNotEqualTo(slot("bar"));
    assertThat(slot("foo{{bar}}zap")).isEqualTo(slot("{bar"));
  }

  @Test
  @DisplayName("every key of one event is in one slot (arrivals, serving, admission, liveness, proof of work, rate limits)")
  void eventKeysShareASlot() throws Exception {
    for (long eventId : new long[] {1, 42, 9_876_543_210L}) {
      RedisKeys.Event event = KEYS.event(eventId);
      Map<String, Integer> slots = slotsOf(event, RedisKeys.Event.class, "203.0.113.7", 29_000_000L);
      slots.putAll(slotsOf(event, RedisKeys.Event.class, "2001:db8::1", 29_000_001L));
      assertThat(slots).hasSizeGreaterThan(10);
      assertThat(slots.values()).as("slots of event %d's keys %s", eventId, slots).containsOnly(slot(event.arrivals()));
    }
  }

  @Test
  @DisplayName("every key of one job queue is in one slot (stream, append markers, delayed retries, dead letters, health, generation)")
  void queueKeysShareASlot() throws Exception {
    for (JobQueue queue : JobQueue.values()) {
      Map<String, Integer> slots = new TreeMap<>();
      for (Method method : RedisKeys.class.getDeclaredMethods()) {
        if (Modifier.isPublic(method.getModifiers()) && method.getReturnType() == String.class
            && method.getParameterCount() > 0 && method.getParameterTypes()[0] == JobQueue.class) {
          slots.put(method.getName(), slot((String) method.invoke(KEYS, arguments(method, queue, "198.51.100.1", 77L))));
        }
      }
      assertThat(slots).containsKeys("stream", "delayed", "deadLetter", "appendedJob", "jobGeneration");
      assertThat(slots.values()).as("slots of queue %s's keys %s", queue, slots).containsOnly(slot(KEYS.stream(queue)));
    }
  }

  @Test
  @DisplayName("the groups are spread: events and queues do not all pile onto one node")
  void groupsAreSpread() {
    List<Integer> slots = new ArrayList<>();
    for (JobQueue queue : JobQueue.values()) {
      slots.add(slot(KEYS.stream(queue)));
    }
    for (long eventId = 1; eventId <= 5; eventId++) {
      slots.add(slot(KEYS.event(eventId).arrivals()));
    }
    assertThat(slots.stream().distinct().count()).isGreaterThan(slots.size() / 2);
  }

  private static Map<String, Integer> slotsOf(Object target, Class<?> type, String address, long number) throws Exception {
    Map<String, Integer> slots = new TreeMap<>();
    for (Method method : type.getDeclaredMethods()) {
      if (Modifier.isPublic(method.getModifiers()) && !Modifier.isStatic(method.getModifiers())
          && method.getReturnType() == String.class && !method.getName().equals("base") && !method.getName().equals("toString")) {
        String key = (String) method.invoke(target, arguments(method, null, address, number));
        slots.put(method.getName() + "(" + address + ")", slot(key));
      }
    }
    return slots;
  }

  private static Object[] arguments(Method method, JobQueue queue, String text, long number) {
    Class<?>[] types = method.getParameterTypes();
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      if (types[i] == JobQueue.class) {
        args[i] = queue;
      } else if (types[i] == String.class) {
        args[i] = text;
      } else if (types[i] == long.class) {
        args[i] = number;
      } else {
        throw new IllegalStateException("no sample argument for " + method);
      }
    }
    return args;
  }

  /** Redis Cluster's key slot: CRC16 (XMODEM) of the hash tag if the key has a non-empty one, else of the key. */
  static int slot(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    int from = 0;
    int to = bytes.length;
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        from = key.substring(0, open + 1).getBytes(StandardCharsets.UTF_8).length;
        to = key.substring(0, close).getBytes(StandardCharsets.UTF_8).length;
      }
    }
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc ^= (bytes[i] & 0xFF) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xFFFF;
    }
    return crc % 16384;
  }
}
