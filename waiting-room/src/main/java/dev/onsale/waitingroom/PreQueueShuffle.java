package dev.onsale.waitingroom;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The shuffle of a random pre-queue, designed so that anyone can check it afterwards.
 *
 * <p>The exact algorithm (the published values are enough to re-run it):
 *
 * <ol>
 *   <li>Before the sale starts, the waiting room draws 32 random bytes and writes them as 64
 *       lowercase hexadecimal characters: the <em>seed</em>. It publishes only
 *       {@code seedHash = hex(SHA-256(seed))}, the hash of those 64 ASCII characters, on the queue
 *       status and on {@code GET /api/v1/events/{id}/queue}.
 *   <li>At {@code saleStartsAt} the pre-queue closes: its size {@code P} is the last arrival number
 *       handed out at that moment, so arrivals {@code 1..P} are the pre-queue. The seed and
 *       {@code P} are then published ({@code seed}, {@code preQueueSize}).
 *   <li>Each arrival number {@code n} in {@code 1..P} gets the key {@code K(n)} = the first 8 bytes of
 *       {@code SHA-256(seed + ":" + n)} (ASCII, {@code n} in decimal), read as an unsigned 64-bit
 *       big-endian integer. The pre-queue's order is the numbers sorted by {@code K(n)} ascending,
 *       ties (practically never) by {@code n}. The i-th number in that order is admitted i-th.
 *   <li>Arrivals after {@code P} keep their arrival order behind the pre-queue: number
 *       {@code P + j} is admitted {@code (P + j)}-th.
 * </ol>
 *
 * <p>Nobody, the operator included, can choose the seed after seeing who joined, because its hash
 * was public before; and nobody can predict their place while joining, because the seed was not.
 * A shell check: {@code for n in $(seq 1 P); do printf '%s %d\n' "$(printf '%s:%d' SEED $n |
 * sha256sum | cut -c1-16)" $n; done | LC_ALL=C sort -k1,1 -k2,2n | cut -d' ' -f2}.
 */
final class PreQueueShuffle {

  private static final SecureRandom RANDOM = new SecureRandom();

  private PreQueueShuffle() {}

  static String newSeed() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static String seedHash(String seed) {
    return HexFormat.of().formatHex(sha256().digest(seed.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The key that orders arrival {@code n}; compared as an unsigned number. */
  static long key(MessageDigest digest, String seed, long n) {
    byte[] hash = digest.digest((seed + ":" + n).getBytes(StandardCharsets.US_ASCII));
    long key = 0;
    for (int i = 0; i < 8; i++) {
      key = (key << 8) | (hash[i] & 0xffL);
    }
    return key;
  }

  /** The pre-queue in admission order: element {@code i} is the arrival number admitted (i+1)-th. */
  static Order order(String seed, int preQueueSize) {
    MessageDigest digest = sha256();
    long[] keys = new long[preQueueSize + 1];
    Integer[] numbers = new Integer[preQueueSize];
    for (int n = 1; n <= preQueueSize; n++) {
      keys[n] = key(digest, seed, n);
      numbers[n - 1] = n;
    }
    Arrays.sort(numbers, (a, b) -> {
      int byKey = Long.compareUnsigned(keys[a], keys[b]);
      return byKey != 0 ? byKey : Integer.compare(a, b);
    });
    int[] numberAt = new int[preQueueSize];
    int[] positionOf = new int[preQueueSize + 1];
    for (int i = 0; i < preQueueSize; i++) {
      numberAt[i] = numbers[i];
      positionOf[numbers[i]] = i + 1;
    }
    return new Order(preQueueSize, numberAt, positionOf);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * A computed shuffle. Queue positions are 1-based: positions {@code 1..size} are the shuffled
   * pre-queue, later positions equal the arrival number.
   */
  record Order(int size, int[] numberAt, int[] positionOf) {

    static final Order NONE = new Order(0, new int[0], new int[1]);

    /** The arrival number admitted at this queue position. */
    long numberAtPosition(long position) {
      return position <= size ? numberAt[(int) position - 1] : position;
    }

    /** The queue position of this arrival number. */
    long positionOfNumber(long number) {
      return number <= size ? positionOf[(int) number] : number;
    }
  }
}
