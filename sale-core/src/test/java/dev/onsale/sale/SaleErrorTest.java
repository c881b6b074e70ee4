package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The codes the live SQL functions raise are the ones {@link SaleError} knows, both ways. A function
 * is live as its last CREATE across the migrations, in version order, unless a later DROP removed it.
 */
@DisplayName("The business errors of the SQL functions")
class SaleErrorTest {

  private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
  private static final Pattern VERSION = Pattern.compile("V(\\d+)__.*\\.sql");
  /** A CREATE (its body ends at the closing $$;) or a DROP of a function, by name. */
  private static final Pattern STATEMENT = Pattern.compile(
      "(?is)^CREATE\\s+(?:OR\\s+REPLACE\\s+)?FUNCTION\\s+(\\w+)\\s*\\(.*?^\\$\\$;|^DROP\\s+FUNCTION\\s+(?:IF\\s+EXISTS\\s+)?(\\w+)",
      Pattern.MULTILINE);
  private static final Pattern ERRCODE = Pattern.compile("(?i)ERRCODE\\s*=\\s*'([0-9A-Z]{5})'");

  @Test
  @DisplayName("every code a live function raises is one of SaleError's, and every one of SaleError's is raised")
  void codesMatchBothWays() throws IOException {
    Map<String, Set<String>> raised = raisedByLiveFunctions();
    Set<String> codes = raised.values().stream().flatMap(Set::stream).collect(Collectors.toCollection(TreeSet::new));
    Set<String> known = Arrays.stream(SaleError.values()).map(SaleError::sqlState).collect(Collectors.toCollection(TreeSet::new));

    assertThat(raised).as("the live functions were found").containsKeys("reserve_tickets", "place_order", "cancel_order");
    assertThat(codes).as("raised by the live functions %s", raised).isEqualTo(known);
  }

  @Test
  @DisplayName("no live function raises a business error with a generic PL/pgSQL code: all are Onsale's own class OS")
  void onlyOwnClass() throws IOException {
    raisedByLiveFunctions().forEach((function, codes) ->
        assertThat(codes).as(function).allMatch(code -> code.startsWith("OS")));
    assertThat(SaleError.values()).extracting(SaleError::sqlState).allMatch(code -> code.matches("OS\\d{3}")).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("a failure is told by its SQLSTATE, whatever its message says")
  void byCode() {
    PgException soldOut = new PgException("sold_out", "ERROR", "OS009", "17");
    assertThat(SaleError.of(soldOut)).isEqualTo(SaleError.SOLD_OUT);
    assertThat(SaleError.detail(soldOut)).isEqualTo("17");
    assertThat(SaleRepository.translateReserveFailure(soldOut))
        .isInstanceOfSatisfying(SoldOut.class, e -> assertThat(e.categoryId()).isEqualTo(17));
    PgException sameTextOtherCode = new PgException("sold_out", "ERROR", "P0001", "17");
    assertThat(SaleError.of(sameTextOtherCode)).isNull();
    assertThat(SaleRepository.translateReserveFailure(sameTextOtherCode)).isSameAs(sameTextOtherCode);
    assertThat(SaleError.of(new RuntimeException("sold_out"))).isNull();
    assertThat(SaleError.PAYMENT_NOT_FOUND.raised(new PgException("anything", "ERROR", "OS007", null))).isTrue();
  }

  /** Function name -> the ERRCODEs its live definition raises. */
  static Map<String, Set<String>> raisedByLiveFunctions() throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(MIGRATIONS)) {
      files = listing.filter(p -> VERSION.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparingInt(SaleErrorTest::version))
          .toList();
    }
    Map<String, String> live = new LinkedHashMap<>();
    for (Path file : files) {
      Matcher statement = STATEMENT.matcher(Files.readString(file));
      while (statement.find()) {
        if (statement.group(1) != null) {
          live.put(statement.group(1).toLowerCase(), statement.group());
        } else {
          live.remove(statement.group(2).toLowerCase());
        }
      }
    }
    Map<String, Set<String>> raised = new TreeMap<>();
    live.forEach((name, body) -> {
      Matcher code = ERRCODE.matcher(body);
      while (code.find()) {
        raised.computeIfAbsent(name, n -> new TreeSet<>()).add(code.group(1));
      }
    });
    return raised;
  }

  private static int version(Path file) {
    Matcher m = VERSION.matcher(file.getFileName().toString());
    m.matches();
    return Integer.parseInt(m.group(1));
  }
}
