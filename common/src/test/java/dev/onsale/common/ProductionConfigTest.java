package dev.onsale.common;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Production mode")
class ProductionConfigTest {

  private static final String GOOD_SECRET = "k2N9vQ7xR4mT8wZ1pL6sD3fH0jB5cY9e";
  private static final String GOOD_ADMIN = "a7Fq2Lm9Xc4Vb8Nz1Kp6Rt3W";

  private static OnsaleConfig config(String env, String secret, String admin) {
    Map<String, String> settings = new HashMap<>();
    settings.put("ONSALE_ENV", env);
    if (secret != null) {
      settings.put("ONSALE_TOKEN_SECRET", secret);
    }
    if (admin != null) {
      settings.put("ONSALE_ADMIN_TOKEN", admin);
    }
    return OnsaleConfig.fromMap(settings);
  }

  @Test
  @DisplayName("refuses the development token secret, set or defaulted")
  void refusesDefaultSecret() {
    assertThatThrownBy(() -> config("production", null, GOOD_ADMIN).validate())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ONSALE_TOKEN_SECRET");
    assertThatThrownBy(() -> config("production", OnsaleConfig.DEV_TOKEN_SECRET, GOOD_ADMIN).validate())
        .hasMessageContaining("ONSALE_TOKEN_SECRET");
  }

  @Test
  @DisplayName("refuses a token secret shorter than 32 characters")
  void refusesShortSecret() {
    assertThatThrownBy(() -> config("production", GOOD_SECRET.substring(0, 31), GOOD_ADMIN).validate())
        .hasMessageContaining("ONSALE_TOKEN_SECRET");
  }

  @Test
  @DisplayName("refuses the development admin token, set or defaulted, and a short one")
  void refusesDefaultOrShortAdminToken() {
    assertThatThrownBy(() -> config("production", GOOD_SECRET, null).validate())
        .hasMessageContaining("ONSALE_ADMIN_TOKEN");
    assertThatThrownBy(() -> config("production", GOOD_SECRET, OnsaleConfig.DEV_ADMIN_TOKEN).validate())
        .hasMessageContaining("ONSALE_ADMIN_TOKEN");
    assertThatThrownBy(() -> config("production", GOOD_SECRET, GOOD_ADMIN.substring(0, 23)).validate())
        .hasMessageContaining("ONSALE_ADMIN_TOKEN");
  }

  @Test
  @DisplayName("is case-insensitive about the word production")
  void caseInsensitive() {
    assertThatThrownBy(() -> config("PRODUCTION", null, null).validate()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("starts with long random secrets, and development starts with the defaults")
  void acceptsGoodSecrets() {
    assertThatCode(() -> config("production", GOOD_SECRET, GOOD_ADMIN).validate()).doesNotThrowAnyException();
    assertThatCode(() -> config("development", null, null).validate()).doesNotThrowAnyException();
  }
}
