package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobTypes;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The job types the SQL functions write to the outbox are the ones the workers know, spelled in {@link JobTypes}. */
class JobTypesTest {

  private static final Pattern JOB_TYPE = Pattern.compile("'([a-z_]+\\.[a-z_]+)'");

  @Test
  @DisplayName("every job type spelled in a migration or an outbox statement is one of JobTypes")
  void migrationsSpellKnownTypes() throws IOException {
    Set<String> known = Arrays.stream(JobTypes.class.getFields())
        .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
        .map(JobTypesTest::value)
        .collect(Collectors.toSet());
    Set<String> spelled = new TreeSet<>();
    try (Stream<Path> files = Stream.concat(
        Files.list(Path.of("src/main/resources/db/migration")),
        Stream.of(Path.of("src/main/java/dev/onsale/sale/SaleSql.java")))) {
      for (Path file : files.toList()) {
        Matcher matcher = JOB_TYPE.matcher(Files.readString(file));
        while (matcher.find()) {
          spelled.add(matcher.group(1));
        }
      }
    }
    assertThat(spelled).isNotEmpty();
    assertThat(known).containsAll(spelled);
  }

  private static String value(Field field) {
    try {
      return (String) field.get(null);
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }
}
