package dev.onsale.app;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.onsale.common.Services;
import dev.onsale.common.WebModule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The demo's mail server: an in-process GreenMail SMTP server that keeps every mail Onsale sends,
 * shown read-only at {@code /demo/mail} (newest first: to, subject, text, attachments) and as JSON
 * at {@code /demo/mail.json}, and announced on the console as it arrives. Only {@code onsale demo}
 * uses it, and only when {@code ONSALE_SMTP_HOST} is not set.
 */
final class DemoMailbox implements AutoCloseable {

  static final String PAGE = "/demo/mail";
  static final String JSON = "/demo/mail.json";
  /** More new mails than this in one look are announced as a count. */
  static final int ANNOUNCED_ONE_BY_ONE = 3;

  private final GreenMail server;
  private final int port;
  private Thread announcer;

  private DemoMailbox(GreenMail server, int port) {
    this.server = server;
    this.port = port;
  }

  /** Starts an SMTP server on a free local port. */
  static DemoMailbox start() {
    int port = freePort();
    GreenMail server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    server.start();
    // GreenMail hangs up on a client that is quiet for 30 s with an unsolicited "421 ... socket
    // timeout"; the mail worker keeps an idle connection open for about its job time limit (60 s by
    // default), so that reply reached a connection waiting for nothing and vertx-mail logged it as
    // an ERROR. The worker closes its idle connections itself (with QUIT): never hang up on it.
    server.getSmtp().setClientSocketTimeout(0);
    return new DemoMailbox(server, port);
  }

  int port() {
    return port;
  }

  /** One received mail, as the page shows it. */
  record Mail(Instant receivedAt, String from, String to, String subject, String text, List<String> attachments) {
    JsonObject toJson() {
      return new JsonObject().put("receivedAt", receivedAt == null ? null : receivedAt.toString()).put("from", from)
          .put("to", to).put("subject", subject).put("text", text).put("attachments", new JsonArray(attachments));
    }
  }

  /** Every mail received so far, newest first. Parses MIME: call it off the event loop. */
  List<Mail> mails() {
    List<Mail> mails = new ArrayList<>();
    for (MimeMessage message : server.getReceivedMessages()) {
      mails.add(read(message));
    }
    java.util.Collections.reverse(mails);
    return mails;
  }

  /** Prints a line on {@code console} for each mail as it arrives, until closed. */
  void announceTo(PrintStream console, String pageUrl) {
    announcer = new Thread(() -> {
      int seen = 0;
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(2000);
        } catch (InterruptedException e) {
          return;
        }
        MimeMessage[] received = server.getReceivedMessages();
        int fresh = received.length - seen;
        if (fresh > ANNOUNCED_ONE_BY_ONE) {
          // A crowd's mails: one line for the lot, not a line each.
          console.println("  " + fresh + " new mails, " + received.length + " in all (read them at " + pageUrl + ")");
        } else {
          for (int i = seen; i < received.length; i++) {
            Mail mail = read(received[i]);
            console.println("  Mail to " + mail.to() + ": \"" + mail.subject() + "\" (read it at " + pageUrl + ")");
          }
        }
        seen = received.length;
      }
    }, "demo-mail-announcer");
    announcer.setDaemon(true);
    announcer.start();
  }

  /** The routes of the mailbox; the page reads the mails on a worker thread. */
  WebModule routes(Services services) {
    return router -> {
      router.get(PAGE).handler(ctx -> respond(ctx, services, true));
      router.get(JSON).handler(ctx -> respond(ctx, services, false));
    };
  }

  private void respond(RoutingContext ctx, Services services, boolean html) {
    services.vertx().executeBlocking(this::mails, false)
        .onSuccess(mails -> {
          ctx.response().putHeader("Cache-Control", "no-store");
          if (html) {
            ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(page(mails));
          } else {
            ctx.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("mails", new JsonArray(mails.stream().map(Mail::toJson).toList())).encode());
          }
        })
        .onFailure(ctx::fail);
  }

  static String page(List<Mail> mails) {
    StringBuilder html = new StringBuilder("""
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <meta http-equiv="refresh" content="5">
          <link rel="icon" href="data:,">
          <title>Onsale demo · mail</title>
          <link rel="stylesheet" href="/ops-assets/onsale-ops.css">
        </head>
        <body>
          <header class="topbar"><h1>Onsale <span>demo mailbox</span></h1>
            <nav><a href="/ops">Live</a> <a href="/admin">Events</a> <a href="/demo/mail" class="active">Mail</a></nav></header>
          <main>
            <p class="muted">Every mail the demo sent, newest first: the demo keeps them in-process instead of
              sending them. This page reloads every 5 seconds; <a href="/demo/mail.json">as JSON</a>.</p>
        """);
    if (mails.isEmpty()) {
      html.append("    <p id=\"no-mail\" class=\"card\">No mail yet. Buy a ticket on the queue page: its confirmation arrives here.</p>\n");
    }
    for (Mail mail : mails) {
      html.append("    <article class=\"card mail\">\n")
          .append("      <h3>").append(escape(mail.subject())).append("</h3>\n")
          .append("      <p class=\"muted\">To ").append(escape(mail.to())).append(" · from ").append(escape(mail.from()))
          .append(mail.receivedAt() == null ? "" : " · " + escape(mail.receivedAt().toString())).append("</p>\n")
          .append("      <pre class=\"mail-text\">").append(linked(escape(mail.text()))).append("</pre>\n");
      if (!mail.attachments().isEmpty()) {
        html.append("      <p class=\"muted\">Attached: ").append(escape(String.join(", ", mail.attachments()))).append("</p>\n");
      }
      html.append("    </article>\n");
    }
    return html.append("  </main>\n</body>\n</html>\n").toString();
  }

  private static Mail read(MimeMessage message) {
    try {
      List<String> attachments = new ArrayList<>();
      String text = text(message, attachments);
      return new Mail(
          message.getReceivedDate() == null ? (message.getSentDate() == null ? null : message.getSentDate().toInstant())
              : message.getReceivedDate().toInstant(),
          addresses(message.getFrom()),
          addresses(message.getRecipients(Message.RecipientType.TO)),
          message.getSubject() == null ? "(no subject)" : message.getSubject(),
          text == null ? "" : text,
          attachments);
    } catch (Exception e) {
      return new Mail(null, "", "", "(a mail that could not be read: " + e.getMessage() + ")", "", List.of());
    }
  }

  /** The first text/plain part (or text/html when there is none); attachments' file names go to {@code attachments}. */
  private static String text(Part part, List<String> attachments) throws Exception {
    if (part.getFileName() != null && Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
      attachments.add(part.getFileName());
      return null;
    }
    if (part.isMimeType("text/plain")) {
      return String.valueOf(part.getContent());
    }
    if (part.isMimeType("multipart/*")) {
      Multipart multipart = (Multipart) part.getContent();
      String plain = null;
      String html = null;
      for (int i = 0; i < multipart.getCount(); i++) {
        BodyPart child = multipart.getBodyPart(i);
        String found = text(child, attachments);
        if (found != null && child.isMimeType("text/html")) {
          html = html == null ? found : html;
        } else if (found != null) {
          plain = plain == null ? found : plain;
        }
      }
      return plain != null ? plain : html;
    }
    if (part.isMimeType("text/html")) {
      return String.valueOf(part.getContent());
    }
    if (part.getFileName() != null) {
      attachments.add(part.getFileName());
    }
    return null;
  }

  private static String addresses(Address[] addresses) {
    return addresses == null ? "" : Arrays.stream(addresses).map(Address::toString).collect(Collectors.joining(", "));
  }

  /** Makes the links in escaped text clickable (a confirmation's order link). */
  static String linked(String escaped) {
    return escaped.replaceAll("(https?://[^\\s<\"']+)", "<a href=\"$1\">$1</a>");
  }

  static String escape(String text) {
    if (text == null) {
      return "";
    }
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port for the demo's mail server", e);
    }
  }

  @Override
  public void close() {
    if (announcer != null) {
      announcer.interrupt();
    }
    server.stop();
  }
}
