package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Order codes and secrets")
class CodesTest {

  @Test
  @DisplayName("come from a SecureRandom")
  void secureRandom() throws Exception {
    var field = Codes.class.getDeclaredField("RANDOM");
    field.setAccessible(true);
    assertThat(field.get(null)).isInstanceOf(SecureRandom.class);
  }

  @Test
  @DisplayName("never repeat in 200,000 draws and use the whole alphabet evenly")
  void unguessable() {
    Set<String> codes = new HashSet<>();
    Set<String> secrets = new HashSet<>();
    int[] letters = new int[128];
    for (int i = 0; i < 200_000; i++) {
      String code = Codes.orderCode();
      assertThat(Codes.looksLikeOrderCode(code)).isTrue();
      codes.add(code);
      secrets.add(Codes.secret());
      for (char c : code.toCharArray()) {
        letters[c]++;
      }
    }
    assertThat(codes).hasSize(200_000);
    assertThat(secrets).hasSize(200_000);
    // 12 characters of 32 symbols = 60 bits; each symbol should appear close to 1/32 of the time.
    long used = 0;
    for (int count : letters) {
      if (count > 0) {
        used++;
        assertThat(count).isBetween(2_400_000 / 32 * 9 / 10, 2_400_000 / 32 * 11 / 10);
      }
    }
    assertThat(used).isEqualTo(32);
    assertThat(Codes.secret()).matches("[0-9a-f]{32}");
  }

  @Test
  @DisplayName("a code that is not one is refused before any database read")
  void shape() {
    assertThat(Codes.looksLikeOrderCode("AAAAAAAAAAA")).isFalse();
    assertThat(Codes.looksLikeOrderCode("AAAAAAAAAAAI")).isFalse();
    assertThat(Codes.looksLikeOrderCode("' OR 1=1 --'")).isFalse();
    assertThat(Codes.looksLikeOrderCode(null)).isFalse();
  }
}
