package dev.onsale.sale;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.onsale.sale.payment.PaymentRequest;
import dev.onsale.sale.payment.ProviderException;
import dev.onsale.sale.payment.ProviderPayment;
import dev.onsale.sale.payment.RefundRequest;
import dev.onsale.sale.payment.TestProvider;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The test provider's own record of its sessions, in Redis: each move only from where it stands. */
class TestProviderTest {

  static SaleServer server;
  static TestProvider provider;

  @BeforeAll
  static void start() {
    server = SaleServer.start(Map.of());
    provider = new TestProvider(server.services.redis(), server.services.keys());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static UUID open(long amount) {
    UUID id = UUID.randomUUID();
    await(provider.openSession(new PaymentRequest(id, "ORD-" + id.toString().substring(0, 6), amount, "EUR",
        List.of(new PaymentRequest.Line("Standing", amount, 1)), "buyer@example.org", Instant.now().plusSeconds(600),
        "/orders/x", "/orders/x")));
    return id;
  }

  @Test
  @DisplayName("opening a session twice keeps the first (the payment id is the idempotency key), and it is kept past any window")
  void openIsIdempotent() {
    UUID id = open(2500);
    await(provider.openSession(new PaymentRequest(id, "ORD-again", 9900, "USD", List.of(), "buyer@example.org",
        Instant.now().plusSeconds(600), "/orders/x", "/orders/x")));
    ProviderPayment state = await(provider.fetch(id.toString()));
    assertThat(state.outcome()).isEqualTo(ProviderPayment.Outcome.OPEN);
    assertThat(state.amountMinor()).isEqualTo(2500);
    assertThat(state.currency()).isEqualTo("EUR");
    long ttl = await(server.services.redisApi().ttl(server.services.keys().testProviderSession(id))).toLong();
    assertThat(ttl).as("seconds the session is kept").isGreaterThan(86_400L * 29).isLessThanOrEqualTo(86_400L * 30);
  }

  @Test
  @DisplayName("a decision moves only an open session: the second tab's Pay, or a Pay after a decline, finds nothing")
  void decisionsMoveOnlyOpenSessions() {
    UUID paid = open(1000);
    assertThat(await(provider.decide(paid, true)).outcome()).isEqualTo(ProviderPayment.Outcome.PAID);
    assertThat(await(provider.decide(paid, true))).as("a second Pay").isNull();

    UUID declined = open(1000);
    assertThat(await(provider.decide(declined, false)).outcome()).isEqualTo(ProviderPayment.Outcome.FAILED);
    assertThat(await(provider.decide(declined, true))).as("Pay after the decline").isNull();
    assertThat(await(provider.expire(declined.toString())).outcome()).as("expiring leaves a decline as it is")
        .isEqualTo(ProviderPayment.Outcome.FAILED);

    UUID expired = open(1000);
    assertThat(await(provider.expire(expired.toString())).outcome()).isEqualTo(ProviderPayment.Outcome.EXPIRED);
    assertThat(await(provider.decide(expired, true))).as("Pay after the window ended").isNull();
  }

  @Test
  @DisplayName("a refund takes back a paid session once (a repeat is already done); an unpaid one is refused; an unknown one is missing")
  void refundsAndUnknownSessions() {
    UUID paid = open(1000);
    await(provider.decide(paid, true));
    RefundRequest refund = new RefundRequest(paid, paid.toString(), "test-charge-" + paid, 1000, "EUR", RefundRequest.keyFor(paid));
    assertThat(await(provider.refund(refund)).alreadyRefunded()).isFalse();
    assertThat(await(provider.fetch(paid.toString())).outcome()).as("a refunded session").isNull();
    assertThat(await(provider.refund(refund)).alreadyRefunded()).isTrue();

    UUID open = open(1000);
    RefundRequest unpaid = new RefundRequest(open, open.toString(), null, 1000, "EUR", RefundRequest.keyFor(open));
    assertThatThrownBy(() -> await(provider.refund(unpaid))).isInstanceOf(ProviderException.class)
        .hasMessageContaining("is not paid");

    String unknown = UUID.randomUUID().toString();
    assertThatThrownBy(() -> await(provider.fetch(unknown))).isInstanceOf(ProviderException.class)
        .satisfies(e -> assertThat(((ProviderException) e).code()).isEqualTo("resource_missing"));
    assertThat(await(provider.decide(UUID.fromString(unknown), true))).isNull();
  }
}
