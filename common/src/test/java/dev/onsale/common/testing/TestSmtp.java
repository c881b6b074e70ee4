package dev.onsale.common.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.util.Map;

/** A real SMTP server on the loopback that keeps what it receives, for tests of Onsale's mail. */
public final class TestSmtp extends GreenMail implements AutoCloseable {

  private final int port;

  private TestSmtp(int port) {
    super(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    this.port = port;
  }

  /** Started on a free port. */
  public static TestSmtp listening() {
    return listeningOn(TestEnv.freePort());
  }

  /** Started on the given port (again, after a test stopped it to make the mail fail). */
  public static TestSmtp listeningOn(int port) {
    TestSmtp smtp = new TestSmtp(port);
    smtp.start();
    return smtp;
  }

  public int port() {
    return port;
  }

  /** The setting that sends an instance's mail here. */
  public Map<String, String> settings() {
    return Map.of("ONSALE_SMTP_PORT", String.valueOf(port));
  }

  @Override
  public void close() {
    stop();
  }
}
