package dev.onsale.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.workers.TicketPdfRenderer.TicketSheet;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A ticket PDF")
class TicketPdfRendererTest {

  /** A phone's screen, in CSS pixels, showing the whole width of the page. */
  private static final int PHONE_PX = 360;
  private static final Path PICTURES = Path.of("target", "screenshots");

  private final TicketPdfRenderer renderer = new TicketPdfRenderer();

  @Test
  @DisplayName("says when in the event's zone, the price, the order code and 'Ticket 2 of 3', on one A6 page")
  void whatItSays() throws Exception {
    byte[] pdf = renderer.render(sheet("Spring Concert", "Europe/Berlin", 4500, "EUR", 2, 3));
    try (PDDocument document = Loader.loadPDF(pdf)) {
      assertThat(document.getNumberOfPages()).isEqualTo(1);
      PDRectangle page = document.getPage(0).getMediaBox();
      assertThat(page.getWidth()).isCloseTo(PDRectangle.A6.getWidth(), org.assertj.core.data.Offset.offset(1f));
      assertThat(page.getHeight()).isCloseTo(PDRectangle.A6.getHeight(), org.assertj.core.data.Offset.offset(1f));
      String text = new PDFTextStripper().getText(document);
      assertThat(text).contains("Spring Concert", "Sat 20 Mar 2027, 20:00 CET (Europe/Berlin)", "Olympiahalle, Munich",
          "Standing", "45.00 EUR", "Ada Lovelace", "OSK7Q2XW", "Ticket 2 of 3", "OSK7Q2XW-1042");
      assertThat(text).doesNotContain("sec-ret"); // the secret is only in the QR code
      picture(document, "ticket-pdf");
    }
  }

  @Test
  @DisplayName("shows each currency with its own minor units, and a free ticket as free")
  void prices() {
    assertThat(TicketPdfRenderer.price(4500, "EUR")).isEqualTo("45.00 EUR");
    assertThat(TicketPdfRenderer.price(123456, "EUR")).isEqualTo("1,234.56 EUR");
    assertThat(TicketPdfRenderer.price(4500, "JPY")).isEqualTo("4,500 JPY");
    assertThat(TicketPdfRenderer.price(12500, "KWD")).isEqualTo("12.500 KWD");
    assertThat(TicketPdfRenderer.price(0, "EUR")).isEqualTo("Free");
  }

  @Test
  @DisplayName("is readable printed and on a phone: no text under 9 pt on paper or 10 px on a 360 px screen, all of it on the page")
  void readable() throws Exception {
    // A long name and venue, a southern zone in its summer, yen: the worst a line has to hold.
    TicketSheet sheet = new TicketSheet("The Grand Reunion Tour of the Philharmonic Orchestra of the Southern Hemisphere",
        "Sydney Opera House, Concert Hall, Bennelong Point, Sydney NSW 2000", Instant.parse("2027-01-15T09:00:00Z"),
        ZoneId.of("Australia/Sydney"), "Premium Reserved Seating (Circle)", 1_250_000, "JPY",
        "Maximiliane Alexandra von Hohenzollern-Sigmaringen", "OSK7Q2XW", "OSK7Q2XW-1042", 12, 12, "sec-ret");
    try (PDDocument document = Loader.loadPDF(renderer.render(sheet))) {
      picture(document, "ticket-pdf-long");
      assertThat(document.getNumberOfPages()).isEqualTo(1);
      PDRectangle page = document.getPage(0).getMediaBox();
      List<TextPosition> glyphs = glyphs(document);
      assertThat(glyphs).isNotEmpty();
      float smallestPt = glyphs.stream().map(TextPosition::getFontSizeInPt).min(Float::compare).orElseThrow();
      assertThat(smallestPt).as("smallest text printed, pt").isGreaterThanOrEqualTo(9f);
      assertThat(smallestPt * PHONE_PX / page.getWidth()).as("smallest text on a 360 px phone, px").isGreaterThanOrEqualTo(10f);
      for (TextPosition glyph : glyphs) {
        assertThat(glyph.getXDirAdj()).as("'%s' inside the page", glyph.getUnicode()).isBetween(0f, page.getWidth() - glyph.getWidthDirAdj());
        assertThat(glyph.getYDirAdj()).as("'%s' inside the page", glyph.getUnicode()).isBetween(0f, page.getHeight());
      }
      String text = new PDFTextStripper().getText(document).replaceAll("\\s+", " "); // long lines wrap
      assertThat(text).contains("Fri 15 Jan 2027, 20:00 AEDT (Australia/Sydney)", "1,250,000 JPY", "Ticket 12 of 12");
    }
  }

  private static TicketSheet sheet(String event, String zone, long price, String currency, int number, int count) {
    return new TicketSheet(event, "Olympiahalle, Munich", Instant.parse("2027-03-20T19:00:00Z"), ZoneId.of(zone), "Standing",
        price, currency, "Ada Lovelace", "OSK7Q2XW", "OSK7Q2XW-1042", number, count, "sec-ret");
  }

  private static List<TextPosition> glyphs(PDDocument document) throws Exception {
    List<TextPosition> glyphs = new ArrayList<>();
    PDFTextStripper stripper = new PDFTextStripper() {
      @Override
      protected void processTextPosition(TextPosition text) {
        if (!text.getUnicode().isBlank()) {
          glyphs.add(text);
        }
        super.processTextPosition(text);
      }
    };
    stripper.getText(document);
    return glyphs;
  }

  /** The page as a 360 px phone shows it, and at 150 dpi as a printer would: target/screenshots, to look at. */
  private static void picture(PDDocument document, String name) throws Exception {
    Files.createDirectories(PICTURES);
    PDFRenderer pages = new PDFRenderer(document);
    float phoneScale = PHONE_PX / document.getPage(0).getMediaBox().getWidth();
    for (int page = 0; page < document.getNumberOfPages(); page++) {
      String suffix = page == 0 ? "" : "-page" + (page + 1);
      BufferedImage phone = pages.renderImage(page, phoneScale);
      BufferedImage print = pages.renderImageWithDPI(page, 150);
      ImageIO.write(phone, "png", PICTURES.resolve(name + suffix + "-phone-360px.png").toFile());
      ImageIO.write(print, "png", PICTURES.resolve(name + suffix + "-print-150dpi.png").toFile());
    }
  }
}
