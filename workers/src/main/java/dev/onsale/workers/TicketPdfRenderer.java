package dev.onsale.workers;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.lowagie.text.Chunk;
import com.lowagie.text.Document;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.Image;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Rectangle;
import com.lowagie.text.pdf.PdfContentByte;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfTemplate;
import com.lowagie.text.pdf.PdfWriter;
import dev.onsale.common.LocalTimes;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Currency;
import java.util.Locale;
import java.util.Map;

/**
 * Draws one ticket as a PDF: the event, its date in the event's own zone (with the zone named), the
 * venue, category and price, the buyer, the order code, "Ticket N of M" and a QR code of the ticket
 * secret drawn as vector squares (sharp at any zoom, no image). The page is A6, a ticket's size:
 * printed, its text is 9 to 17 pt; on a phone 360 px wide, showing the whole page, 11 to 21 px.
 * Blocking and CPU-bound: call it from {@code executeBlocking}. Thread-safe: it keeps no state.
 */
public final class TicketPdfRenderer {

  private static final float MARGIN = 20f;
  /** The QR code's side: 150 pt (53 mm) when there is room, never under 96 pt (34 mm). */
  private static final float QR_MAX = 150f;
  private static final float QR_MIN = 96f;
  private static final Font TITLE = new Font(Font.HELVETICA, 17, Font.BOLD);
  private static final Font WHEN = new Font(Font.HELVETICA, 12, Font.BOLD);
  private static final Font LABEL = new Font(Font.HELVETICA, 9, Font.NORMAL, new Color(0x55, 0x55, 0x55));
  private static final Font VALUE = new Font(Font.HELVETICA, 12, Font.NORMAL);

  /**
   * What is printed on a ticket: {@code priceMinor} in the currency's minor units (cents; yen have
   * none), {@code number} of {@code count} its place in the order.
   */
  public record TicketSheet(String eventName, String venue, Instant startsAt, ZoneId timeZone, String category,
                            long priceMinor, String currency, String buyerName, String orderCode, String ticketCode,
                            int number, int count, String secret) {}

  public byte[] render(TicketSheet ticket) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    Document document = new Document(PageSize.A6, MARGIN, MARGIN, MARGIN, MARGIN);
    PdfWriter writer = PdfWriter.getInstance(document, out);
    document.addTitle(ticket.eventName() + ": ticket " + ticket.number() + " of " + ticket.count());
    document.addCreator("Onsale");
    document.open();
    document.add(text(ticket.eventName(), TITLE));
    Paragraph when = text(LocalTimes.format(ticket.startsAt(), ticket.timeZone()), WHEN);
    when.setSpacingBefore(4);
    document.add(when);
    document.add(text(ticket.venue(), VALUE));
    PdfPTable facts = new PdfPTable(2);
    facts.setWidthPercentage(100);
    facts.setSpacingBefore(8);
    facts.addCell(fact("Category", ticket.category()));
    facts.addCell(fact("Price", price(ticket.priceMinor(), ticket.currency())));
    facts.addCell(fact("Name", ticket.buyerName()));
    facts.addCell(fact("Order", ticket.orderCode()));
    document.add(facts);
    // The QR code and its caption take the room left (long names leave less), the code within scannable bounds.
    PdfTemplate qr = qrCode(writer.getDirectContent(), ticket.secret());
    String caption = "Ticket " + ticket.number() + " of " + ticket.count() + "  ·  " + ticket.ticketCode();
    float width = document.right() - document.left();
    PdfPTable code = codeBlock(qr, QR_MAX, caption, width);
    float room = writer.getVerticalPosition(true) - document.bottom() - code.spacingBefore();
    if (code.getTotalHeight() > room) {
      code = codeBlock(qr, Math.max(QR_MIN, QR_MAX - (code.getTotalHeight() - room)), caption, width);
    }
    document.add(code);
    document.close();
    return out.toByteArray();
  }

  /** Renders a throwaway ticket so the first real one does not pay for class loading and fonts. */
  public void warmUp() {
    render(new TicketSheet("Warm-up", "Nowhere", Instant.EPOCH, ZoneId.of("Europe/Berlin"), "None", 0, "EUR",
        "Nobody", "WARMUP", "WARMUP-0", 1, 1, "warmup"));
  }

  /** "45.00 EUR", "4,500 JPY", "12.500 KWD": as many decimals as the currency has minor units; "Free" for nothing. */
  static String price(long minor, String currency) {
    if (minor == 0) {
      return "Free";
    }
    int digits;
    try {
      digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    } catch (IllegalArgumentException unknown) {
      digits = 2;
    }
    NumberFormat format = NumberFormat.getNumberInstance(Locale.ENGLISH);
    format.setMinimumFractionDigits(digits);
    format.setMaximumFractionDigits(digits);
    return format.format(BigDecimal.valueOf(minor, digits)) + " " + currency;
  }

  /** The QR code, {@code side} points square, above "Ticket N of M · code" and what to do with it; kept on one page. */
  private static PdfPTable codeBlock(PdfTemplate qr, float side, String caption, float width) {
    Image image = Image.getInstance(qr);
    image.scaleAbsolute(side, side);
    PdfPTable block = new PdfPTable(1);
    block.setTotalWidth(width);
    block.setLockedWidth(true);
    block.setKeepTogether(true);
    block.setSpacingBefore(4);
    block.addCell(centred(new PdfPCell(image, false)));
    block.addCell(centred(new PdfPCell(text(caption, VALUE))));
    block.addCell(centred(new PdfPCell(text("Show this code at the entrance.", LABEL))));
    return block;
  }

  private static PdfPCell centred(PdfPCell cell) {
    cell.setHorizontalAlignment(Element.ALIGN_CENTER);
    cell.setBorder(Rectangle.NO_BORDER);
    cell.setPadding(0);
    cell.setPaddingBottom(3);
    return cell;
  }

  /** A paragraph with lines 1.25 times its font size apart (the default, 1.5, wastes a small page). */
  private static Paragraph text(String text, Font font) {
    return new Paragraph(1.25f * font.getSize(), text, font);
  }

  private static PdfPCell fact(String label, String value) {
    Paragraph text = new Paragraph();
    text.add(new Chunk(label + "\n", LABEL));
    text.add(new Chunk(value, VALUE));
    PdfPCell cell = new PdfPCell(text);
    cell.setBorder(Rectangle.NO_BORDER);
    cell.setPadding(0);
    cell.setPaddingBottom(6);
    return cell;
  }

  /** The QR code as a vector drawing, {@code QR_MAX} points square. */
  private static PdfTemplate qrCode(PdfContentByte canvas, String content) {
    BitMatrix matrix;
    try {
      matrix = new QRCodeWriter().encode(content, BarcodeFormat.QR_CODE, 0, 0,
          Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 2));
    } catch (WriterException e) {
      throw new IllegalArgumentException("cannot encode the ticket secret as a QR code", e);
    }
    PdfTemplate qr = canvas.createTemplate(QR_MAX, QR_MAX);
    float module = QR_MAX / Math.max(matrix.getWidth(), matrix.getHeight());
    qr.setColorFill(Color.BLACK);
    for (int row = 0; row < matrix.getHeight(); row++) {
      for (int col = 0; col < matrix.getWidth(); col++) {
        if (matrix.get(col, row)) {
          // PDF y grows upwards, matrix rows grow downwards.
          qr.rectangle(col * module, (matrix.getHeight() - 1 - row) * module, module, module);
        }
      }
    }
    qr.fill();
    return qr;
  }
}
