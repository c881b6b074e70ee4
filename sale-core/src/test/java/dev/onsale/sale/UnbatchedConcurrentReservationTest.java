package dev.onsale.sale;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Many buyers at once, one claim transaction per buyer")
class UnbatchedConcurrentReservationTest extends ConcurrentReservationTest {

  @BeforeAll
  static void start() {
    server = SaleServer.start(Map.of("ONSALE_RESERVATION_BATCH_SIZE", "1"));
  }
}
