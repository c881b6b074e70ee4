package dev.onsale.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The launcher in production mode")
class ProductionRefusalTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "with the default secret and admin token, , , ONSALE_TOKEN_SECRET",
      "with the development secret named explicitly, dev-token-secret-change-me-in-production, a7Fq2Lm9Xc4Vb8Nz1Kp6Rt3W, ONSALE_TOKEN_SECRET",
      "with a short secret, short-secret, a7Fq2Lm9Xc4Vb8Nz1Kp6Rt3W, ONSALE_TOKEN_SECRET",
      "with a long secret and the default admin token, k2N9vQ7xR4mT8wZ1pL6sD3fH0jB5cY9e, , ONSALE_ADMIN_TOKEN",
      "with a long secret and a short admin token, k2N9vQ7xR4mT8wZ1pL6sD3fH0jB5cY9e, admin, ONSALE_ADMIN_TOKEN",
  })
  @DisplayName("refuses to start, exits non-zero and names the setting")
  void refuses(String name, String secret, String admin, String named) {
    Map<String, String> env = new HashMap<>();
    env.put("ONSALE_ENV", "production");
    env.put("ONSALE_HTTP_PORT", String.valueOf(TestEnv.freePort()));
    env.put("ONSALE_PG_URL", "postgresql://postgres@127.0.0.1:5432/onsale_never_created");
    env.put("ONSALE_REDIS_PREFIX", "refusal:");
    if (secret != null) {
      env.put("ONSALE_TOKEN_SECRET", secret);
    }
    if (admin != null) {
      env.put("ONSALE_ADMIN_TOKEN", admin);
    }
    try (OnsaleProcess onsale = OnsaleProcess.start(env, "serve")) {
      Integer exit = onsale.awaitExit(60);
      assertThat(exit).as("exit code; log:%n%s", onsale.log()).isEqualTo(1);
      assertThat(onsale.log()).contains("onsale refuses to start: " + named).doesNotContain("\tat ");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "an unknown Redis mode | ONSALE_REDIS_MODE=replicated | ONSALE_REDIS_MODE must be standalone, sentinel or cluster",
      "Sentinel without a master name | ONSALE_REDIS_MODE=sentinel | ONSALE_REDIS_MODE=sentinel needs ONSALE_REDIS_MASTER_NAME",
      "two servers for one | ONSALE_REDIS_URL=redis://a:6379,redis://b:6379 | ONSALE_REDIS_URL names 2 servers",
  })
  @DisplayName("refuses a Redis setting that cannot work, in any environment, naming the setting")
  void refusesBadRedisSettings(String name, String setting, String message) {
    Map<String, String> env = new HashMap<>();
    env.put("ONSALE_HTTP_PORT", String.valueOf(TestEnv.freePort()));
    env.put("ONSALE_PG_URL", "postgresql://postgres@127.0.0.1:5432/onsale_never_created");
    env.put("ONSALE_REDIS_PREFIX", "refusal:");
    env.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
    try (OnsaleProcess onsale = OnsaleProcess.start(env, "serve")) {
      Integer exit = onsale.awaitExit(60);
      assertThat(exit).as("exit code; log:%n%s", onsale.log()).isEqualTo(1);
      assertThat(onsale.log()).contains("onsale refuses to start: " + message).doesNotContain("\tat ");
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName("the defaults it refuses are the ones development runs with")
  void defaultsAreTheDevelopmentOnes() {
    OnsaleConfig defaults = OnsaleConfig.fromMap(Map.of());
    assertThat(defaults.tokenSecret()).isEqualTo(OnsaleConfig.DEV_TOKEN_SECRET);
    assertThat(defaults.adminToken()).isEqualTo(OnsaleConfig.DEV_ADMIN_TOKEN);
  }
}
