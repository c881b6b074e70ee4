package dev.onsale.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ONSALE_REDIS_MODE: one server, Sentinel or Cluster, and bad settings stop the start")
class RedisTopologyTest {

  @Test
  @DisplayName("the default is one local server")
  void defaultIsOneServer() {
    RedisOptions options = OnsaleConfig.fromMap(Map.of()).redis().options();
    assertThat(options.getType()).isEqualTo(RedisClientType.STANDALONE);
    assertThat(options.getEndpoints()).containsExactly("redis://127.0.0.1:6379");
  }

  @Test
  @DisplayName("sentinel: every sentinel of the list, the master set's name, always the master")
  void sentinel() {
    RedisOptions options = OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_MODE", "Sentinel",
        "ONSALE_REDIS_URL", "redis://10.0.0.1:26379, redis://10.0.0.2:26379,redis://10.0.0.3:26379",
        "ONSALE_REDIS_MASTER_NAME", "onsale")).redis().options();
    assertThat(options.getType()).isEqualTo(RedisClientType.SENTINEL);
    assertThat(options.getEndpoints()).containsExactly("redis://10.0.0.1:26379", "redis://10.0.0.2:26379", "redis://10.0.0.3:26379");
    assertThat(options.getMasterName()).isEqualTo("onsale");
    assertThat(options.getRole()).isEqualTo(RedisRole.MASTER);
  }

  @Test
  @DisplayName("waiting for replicas is off unless asked for")
  void replicaWait() {
    assertThat(OnsaleConfig.fromMap(Map.of()).redis().replicaWait().on()).isFalse();
    ReplicaWait wait = OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_MODE", "sentinel", "ONSALE_REDIS_URL", "redis://h:26379",
        "ONSALE_REDIS_MASTER_NAME", "m", "ONSALE_REDIS_WAIT_REPLICAS", "1", "ONSALE_REDIS_WAIT_MS", "250")).redis().replicaWait();
    assertThat(wait).isEqualTo(new ReplicaWait(1, 250));
  }

  @Test
  @DisplayName("cluster: the seed nodes of the list")
  void cluster() {
    RedisTopology topology = OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_MODE", "cluster",
        "ONSALE_REDIS_URL", "redis://10.0.0.1:7000,redis://10.0.0.2:7000")).redis();
    assertThat(topology.cluster()).isTrue();
    assertThat(topology.options().getType()).isEqualTo(RedisClientType.CLUSTER);
    assertThat(topology.urls()).isEqualTo(List.of("redis://10.0.0.1:7000", "redis://10.0.0.2:7000"));
  }

  @Test
  @DisplayName("bad values are refused with a message that names the setting")
  void refusesBadValues() {
    assertThatThrownBy(() -> OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_MODE", "replicated")))
        .hasMessageContaining("ONSALE_REDIS_MODE must be standalone, sentinel or cluster");
    assertThatThrownBy(() -> OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_MODE", "sentinel",
        "ONSALE_REDIS_URL", "redis://10.0.0.1:26379")))
        .hasMessageContaining("ONSALE_REDIS_MASTER_NAME");
    assertThatThrownBy(() -> OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_MASTER_NAME", "mymaster")))
        .hasMessageContaining("only for ONSALE_REDIS_MODE=sentinel");
    assertThatThrownBy(() -> OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_URL", "redis://a:6379,redis://b:6379")))
        .hasMessageContaining("standalone");
    assertThatThrownBy(() -> OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_URL", "127.0.0.1:6379")))
        .hasMessageContaining("is not a Redis URL");
    assertThatThrownBy(() -> OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_MODE", "cluster", "ONSALE_REDIS_URL", " , ")))
        .hasMessageContaining("at least one server");
    assertThatThrownBy(() -> OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_WAIT_REPLICAS", "one")))
        .hasMessageContaining("ONSALE_REDIS_WAIT_REPLICAS must be a whole number");
    assertThatThrownBy(() -> OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_WAIT_MS", "0")))
        .hasMessageContaining("ONSALE_REDIS_WAIT_MS must be a whole number of at least 1");
    assertThatThrownBy(() -> OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_MODE", "cluster", "ONSALE_REDIS_WAIT_REPLICAS", "1")))
        .hasMessageContaining("not supported with ONSALE_REDIS_MODE=cluster");
    assertThatThrownBy(() -> OnsaleConfig.fromMap(Map.of("ONSALE_REDIS_PREFIX", "{onsale}:")))
        .hasMessageContaining("ONSALE_REDIS_PREFIX");
  }
}
