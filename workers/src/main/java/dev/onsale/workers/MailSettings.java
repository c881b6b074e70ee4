package dev.onsale.workers;

import dev.onsale.common.OnsaleConfig;
import io.vertx.ext.mail.StartTLSOptions;

/**
 * How the mail queue reaches its SMTP server, beside {@code ONSALE_SMTP_HOST} and
 * {@code ONSALE_SMTP_PORT} (in {@link OnsaleConfig}); read once where the mail worker is deployed.
 *
 * @param from the sender of the mails ({@code ONSALE_MAIL_FROM}, default {@code Onsale <tickets@onsale.local>})
 * @param startTls {@code ONSALE_SMTP_STARTTLS}: {@code OPTIONAL} (default), {@code REQUIRED} or {@code DISABLED}
 * @param username {@code ONSALE_SMTP_USERNAME}, null when unset
 * @param password {@code ONSALE_SMTP_PASSWORD}, null when unset
 */
public record MailSettings(String from, StartTLSOptions startTls, String username, String password) {

  public static MailSettings of(OnsaleConfig config) {
    return new MailSettings(
        config.setting("ONSALE_MAIL_FROM", "Onsale <tickets@onsale.local>"),
        StartTLSOptions.valueOf(config.setting("ONSALE_SMTP_STARTTLS", "OPTIONAL").toUpperCase()),
        config.setting("ONSALE_SMTP_USERNAME", null),
        config.setting("ONSALE_SMTP_PASSWORD", null));
  }
}
