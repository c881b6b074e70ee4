package dev.onsale.workers;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.lowagie.text.Document;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.pdf.PdfContentByte;
import com.lowagie.text.pdf.PdfWriter;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * Draws one ticket as a PDF: the event, venue, date, category, buyer, ticket code and a QR code of
 * the ticket secret drawn as vector squares (sharp at any zoom, no image). Blocking and CPU-bound:
 * call it from {@code executeBlocking}. Thread-safe: it keeps no state.
 */
public final class TicketPdfRenderer {

  private static final DateTimeFormatter DATE = DateTimeFormatter
      .ofPattern("EEEE d MMMM yyyy, HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final float QR_SIZE = 180f;

  /** What is printed on a ticket. */
  public record TicketSheet(String eventName, String venue, Instant startsAt, String category,
                            String buyerName, String ticketCode, String secret) {}

  public byte[] render(TicketSheet ticket) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    Document document = new Document(PageSize.A4, 56, 56, 56, 56);
    PdfWriter writer = PdfWriter.getInstance(document, out);
    document.addTitle("Ticket " + ticket.ticketCode());
    document.addCreator("Onsale");
    document.open();
    Font title = new Font(Font.HELVETICA, 22, Font.BOLD);
    Font label = new Font(Font.HELVETICA, 10, Font.NORMAL, Color.GRAY);
    Font value = new Font(Font.HELVETICA, 13, Font.NORMAL);
    document.add(new Paragraph(ticket.eventName(), title));
    document.add(new Paragraph(" "));
    line(document, "Venue", ticket.venue(), label, value);
    line(document, "Date", DATE.format(ticket.startsAt()), label, value);
    line(document, "Category", ticket.category(), label, value);
    line(document, "Name", ticket.buyerName(), label, value);
    line(document, "Ticket code", ticket.ticketCode(), label, value);
    Paragraph hint = new Paragraph("Show this code at the entrance.", label);
    hint.setAlignment(Element.ALIGN_LEFT);
    document.add(hint);
    drawQr(writer.getDirectContent(), ticket.secret(),
        document.right() - QR_SIZE, document.top() - QR_SIZE - 40);
    document.close();
    return out.toByteArray();
  }

  /** Renders a throwaway ticket so the first real one does not pay for class loading and fonts. */
  public void warmUp() {
    render(new TicketSheet("Warm-up", "Nowhere", Instant.EPOCH, "None", "Nobody", "WARMUP-0", "warmup"));
  }

  private static void line(Document document, String name, String text, Font label, Font value) {
    document.add(new Paragraph(name, label));
    document.add(new Paragraph(text, value));
  }

  private static void drawQr(PdfContentByte canvas, String content, float x, float y) {
    BitMatrix matrix;
    try {
      matrix = new QRCodeWriter().encode(content, BarcodeFormat.QR_CODE, 0, 0,
          Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 2));
    } catch (WriterException e) {
      throw new IllegalArgumentException("cannot encode the ticket secret as a QR code", e);
    }
    float module = QR_SIZE / Math.max(matrix.getWidth(), matrix.getHeight());
    canvas.saveState();
    canvas.setColorFill(Color.BLACK);
    for (int row = 0; row < matrix.getHeight(); row++) {
      for (int col = 0; col < matrix.getWidth(); col++) {
        if (matrix.get(col, row)) {
          // PDF y grows upwards, matrix rows grow downwards.
          canvas.rectangle(x + col * module, y + (matrix.getHeight() - 1 - row) * module, module, module);
        }
      }
    }
    canvas.fill();
    canvas.restoreState();
  }
}
