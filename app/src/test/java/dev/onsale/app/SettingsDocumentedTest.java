package dev.onsale.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobQueue;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.ops.AlertSettings;
import dev.onsale.workers.QueueSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The settings tables of README.md and docs/OPERATIONS.md against the settings the code reads:
 * every {@code ONSALE_*} name in a string literal of any module's main sources, and the per-queue
 * names built from the {@code "ONSALE_QUEUE_"} prefix, written {@code ONSALE_QUEUE_<QUEUE>_<SUFFIX>}
 * as the tables write them.
 */
@DisplayName("settings read by the code against the documented settings tables")
class SettingsDocumentedTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final List<Path> TABLES = List.of(ROOT.resolve("README.md"), ROOT.resolve("docs/OPERATIONS.md"));

  /** A whole name in quotes; one ending in {@code _} is a prefix other code completes. */
  private static final Pattern LITERAL = Pattern.compile("\"(ONSALE_[A-Z0-9_]+)\"");
  private static final Pattern DOCUMENTED = Pattern.compile("`(ONSALE_[A-Z0-9_<>]+)`");
  private static final String QUEUE_PREFIX = "ONSALE_QUEUE_";
  private static final String PER_QUEUE = QUEUE_PREFIX + "<QUEUE>_";

  /** The files that build names from {@link #QUEUE_PREFIX}; their names are found by running them. */
  private static final Set<String> PREFIX_BUILDERS = Set.of(
      "workers/src/main/java/dev/onsale/workers/QueueSettings.java",
      "ops/src/main/java/dev/onsale/ops/AlertSettings.java");

  /**
   * Besides the {@code *Settings} records, the files that may spell a setting's name: the
   * configuration (the settings every module needs), the Redis topology it validates, the webhook
   * address rule naming its own setting in its refusals, and the bench, which starts Onsale with
   * settings of its own.
   */
  private static final Set<String> SETTINGS_OWNERS = Set.of(
      "common/src/main/java/dev/onsale/common/OnsaleConfig.java",
      "common/src/main/java/dev/onsale/common/RedisTopology.java",
      "common/src/main/java/dev/onsale/common/WebhookAddresses.java",
      "bench/src/main/java/dev/onsale/bench/Bench.java");

  /** Settings read outside the Java sources, each with the file that reads it (checked below). */
  private static final Map<String, String> CONSUMED_ELSEWHERE = Map.of(
      // logback substitutes it from the environment to choose the appender (json or text).
      "ONSALE_LOG_FORMAT", "app/src/main/resources/logback.xml",
      // logback substitutes it from the environment as the root logger's level.
      "ONSALE_LOG_LEVEL", "app/src/main/resources/logback.xml");

  @Test
  @DisplayName("every setting the code reads has a row in README.md's or docs/OPERATIONS.md's settings table")
  void everySettingReadIsDocumented() throws IOException {
    Set<String> read = readByCode();
    assertThat(read).contains("ONSALE_PG_URL", "ONSALE_RELAY_BATCH", PER_QUEUE + "CONCURRENCY", PER_QUEUE + "ALERT_THRESHOLD");

    Set<String> undocumented = new TreeSet<>(read);
    undocumented.removeAll(documented().keySet());
    assertThat(undocumented).as("settings read by the code but in neither settings table").isEmpty();
  }

  @Test
  @DisplayName("every setting in the settings tables is read by the code, or by a file named in this test")
  void everyDocumentedSettingIsRead() throws IOException {
    Set<String> read = readByCode();
    for (Map.Entry<String, String> consumer : CONSUMED_ELSEWHERE.entrySet()) {
      assertThat(Files.readString(ROOT.resolve(consumer.getValue())))
          .as("%s reads %s", consumer.getValue(), consumer.getKey())
          .contains("${" + consumer.getKey() + ":-");
    }

    Map<String, String> unread = new TreeMap<>(documented());
    unread.keySet().removeAll(read);
    unread.keySet().removeAll(CONSUMED_ELSEWHERE.keySet());
    assertThat(unread).as("documented settings (and where) that nothing reads").isEmpty();
  }

  @Test
  @DisplayName("each module reads its settings in one place: a *Settings record, or the configuration itself")
  void settingsAreReadInSettingsRecords() throws IOException {
    Set<String> readers = new TreeSet<>();
    for (Path source : mainSources()) {
      if (LITERAL.matcher(Files.readString(source)).find()) {
        readers.add(ROOT.relativize(source).toString());
      }
    }
    readers.removeIf(file -> file.endsWith("Settings.java"));
    assertThat(readers).as("main sources outside a *Settings record that spell a setting's name")
        .containsExactlyInAnyOrderElementsOf(SETTINGS_OWNERS);
  }

  /** Each name in the first column of a table row of README.md or docs/OPERATIONS.md, with its file. */
  private static Map<String, String> documented() throws IOException {
    Map<String, String> names = new TreeMap<>();
    for (Path file : TABLES) {
      for (String line : Files.readAllLines(file)) {
        String[] cells = line.split("\\|");
        if (!line.startsWith("|") || cells.length < 2) {
          continue;
        }
        Matcher matcher = DOCUMENTED.matcher(cells[1]);
        while (matcher.find()) {
          names.put(matcher.group(1).replace("<Q>", "<QUEUE>"), ROOT.relativize(file).toString());
        }
      }
    }
    assertThat(names).as("names in the settings tables").containsKeys("ONSALE_PG_URL", "ONSALE_HTTP_HOST");
    return names;
  }

  /** Every name a string literal of a main source holds, and the per-queue names the prefix builders read. */
  private static Set<String> readByCode() throws IOException {
    Set<String> names = new TreeSet<>();
    Set<String> builders = new TreeSet<>();
    for (Path source : mainSources()) {
      Matcher matcher = LITERAL.matcher(Files.readString(source));
      while (matcher.find()) {
        String name = matcher.group(1);
        if (name.endsWith("_")) {
          assertThat(name).as("a name prefix in %s", source).isEqualTo(QUEUE_PREFIX);
          builders.add(ROOT.relativize(source).toString());
        } else {
          names.add(name);
        }
      }
    }
    assertThat(builders).as("files building setting names from %s", QUEUE_PREFIX).isEqualTo(PREFIX_BUILDERS);
    names.addAll(perQueueNames());
    return names;
  }

  /** The names QueueSettings and AlertSettings look up for every queue, the queue's name replaced by {@code <QUEUE>}. */
  private static Set<String> perQueueNames() {
    Set<String> names = new TreeSet<>();
    for (JobQueue queue : JobQueue.values()) {
      Set<String> looked = new TreeSet<>();
      OnsaleConfig config = recording(looked);
      QueueSettings.of(config, queue);
      AlertSettings.from(config);
      String own = QUEUE_PREFIX + queue.streamName().toUpperCase() + "_";
      looked.stream().filter(n -> n.startsWith(own)).forEach(n -> names.add(PER_QUEUE + n.substring(own.length())));
    }
    assertThat(names).as("per-queue names").hasSizeGreaterThan(5);
    return names;
  }

  /** A default configuration whose settings map notes each name looked up (and holds none). */
  private static OnsaleConfig recording(Set<String> looked) {
    OnsaleConfig c = OnsaleConfig.fromMap(Map.of());
    Map<String, String> settings = new AbstractMap<>() {
      @Override
      public Set<Entry<String, String>> entrySet() {
        return Set.of();
      }

      @Override
      public String get(Object key) {
        looked.add(key.toString());
        return null;
      }
    };
    return new OnsaleConfig(c.httpPort(), c.pgUrl(), c.redisUrl(), c.redis(), c.roles(), c.adminToken(), c.tokenSecret(),
        c.smtpHost(), c.smtpPort(), c.mediaDir(), c.environment(), c.redisPrefix(), c.publicUrl(), settings);
  }

  private static List<Path> mainSources() throws IOException {
    List<Path> sources = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path main : modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.walk(main)) {
          files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
        }
      }
    }
    assertThat(sources).as("main sources under %s", ROOT).hasSizeGreaterThan(50);
    return sources;
  }
}
