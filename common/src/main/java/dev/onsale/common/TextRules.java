package dev.onsale.common;

/**
 * The one rule for text a buyer or organizer sends (names, e-mails, event names, venues, URLs):
 * no C0 or C1 control characters (a bare LF or CR would reach mail headers and bodies, a NUL the
 * logs), no bidirectional overrides or isolates (U+202A-U+202E, U+2066-U+2069, which make a name
 * read differently from what it is), and no lone UTF-16 surrogates.
 */
public final class TextRules {

  private TextRules() {}

  /** Why the text is refused, or {@code null} when it is acceptable. */
  public static String problem(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        return "must not contain control characters";
      }
      if ((c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
        return "must not contain bidirectional override characters";
      }
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "is not valid text";
      }
    }
    return null;
  }

  /** The text itself, or a 400 naming the field. */
  public static String require(String field, String text) {
    String problem = problem(text);
    if (problem != null) {
      throw ApiException.invalid(field, problem);
    }
    return text;
  }
}
