package dev.onsale.workers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Ticket PDFs on disk under {@code ONSALE_MEDIA_DIR}: one file per ticket and secret, written to a
 * temporary file and moved into place atomically, so a reader never sees half a PDF. The file name
 * carries a hash of the secret, not the secret. Blocking: call from {@code executeBlocking}.
 */
public final class MediaStore {

  private final Path root;

  public MediaStore(String mediaDir) {
    this.root = Path.of(mediaDir).toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  public Path ticketsDir() {
    return root.resolve("tickets");
  }

  public Path ticketPdf(long ticketId, String secret) {
    return ticketsDir().resolve(ticketId + "-" + shortHash(secret) + ".pdf");
  }

  public void writeAtomically(Path target, byte[] content) throws IOException {
    Files.createDirectories(target.getParent());
    Path temp = Files.createTempFile(target.getParent(), ".tmp-", ".pdf");
    try {
      Files.write(temp, content);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Deletes a file this store wrote; a path outside the media folder is refused. */
  public boolean delete(String path) throws IOException {
    Path file = Path.of(path).toAbsolutePath().normalize();
    if (!file.startsWith(root)) {
      throw new IOException("refusing to delete " + file + ": outside " + root);
    }
    return Files.deleteIfExists(file);
  }

  private static String shortHash(String secret) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
