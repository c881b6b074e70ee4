package dev.onsale.sale;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Unguessable identifiers for buyers: order codes they read out, secrets they never need to. */
final class Codes {

  // Crockford's base32 without I, L, O, U: easy to read out over the phone.
  private static final String SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  private static final char[] ALPHABET = SYMBOLS.toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Codes() {}

  /** 12 characters, 60 random bits: an order code. */
  static String orderCode() {
    char[] code = new char[12];
    for (int i = 0; i < code.length; i++) {
      code[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(code);
  }

  /** 128 random bits as hex: an order secret. */
  static String secret() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static boolean looksLikeOrderCode(String text) {
    if (text == null || text.length() != 12) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (SYMBOLS.indexOf(text.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }
}
