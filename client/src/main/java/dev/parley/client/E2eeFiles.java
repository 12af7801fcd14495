package dev.parley.client;

import dev.parley.protocol.ErrorCode;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.ImageIO;

/**
 * Files of e2ee conversations, sealed on this device before upload (PROTOCOL.md: "AES-256-GCM under a fresh key
 * per file"): a random 256-bit key and 96-bit nonce from {@link SecureRandom}, JDK AES/GCM with a 128-bit tag
 * appended to the ciphertext, no associated data. The key, the nonce and the plaintext's SHA-256 travel inside
 * the MLS application message ({@link E2eeContent}); the server stores the ciphertext as {@code encrypted} media.
 *
 * <p>Opening checks the GCM tag and then the SHA-256 the sender put in the message (so a file is bound to the
 * message that names it); either failing is {@link ErrorCode#BAD_REQUEST} and nothing is written to the target.
 * The JDK's GCM decryption holds the whole file in memory until the tag is checked (never release unverified
 * plaintext), so opening costs memory of the file's size.
 */
final class E2eeFiles {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int THUMBNAIL_EDGE = 320;
    private static final long THUMBNAIL_MAX_SOURCE = 32L * 1024 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A sealed file waiting for upload: the ciphertext in a temporary file (the caller deletes it). */
    record Sealed(Path ciphertext, byte[] key, byte[] nonce, String sha256, long size) {
        E2eeContent.SealedFile describe(String mediaId, String mime, String name, Integer width, Integer height,
                                        E2eeContent.SealedFile thumbnail) {
            return new E2eeContent.SealedFile(mediaId, b64(key), b64(nonce), sha256, size, mime, name, width, height,
                    thumbnail);
        }
    }

    /** A thumbnail of an image, as JPEG bytes with its dimensions. */
    record Thumbnail(byte[] jpeg, int width, int height, int sourceWidth, int sourceHeight) {
    }

    private E2eeFiles() {
    }

    /** Encrypts {@code file} to a temporary file beside nothing the server sees, streaming. */
    static Sealed seal(Path file) {
        byte[] key = random(KEY_BYTES);
        byte[] nonce = random(NONCE_BYTES);
        try {
            Path out = Files.createTempFile("parley-sealed-", ".bin");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Cipher c = cipher(Cipher.ENCRYPT_MODE, key, nonce);
            long size = 0;
            try (InputStream in = Files.newInputStream(file); OutputStream os = Files.newOutputStream(out)) {
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                    size += n;
                    byte[] ct = c.update(buf, 0, n);
                    if (ct != null) {
                        os.write(ct);
                    }
                }
                os.write(c.doFinal());
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                Files.deleteIfExists(out);
                throw e;
            }
            return new Sealed(out, key, nonce, HexFormat.of().formatHex(sha.digest()), size);
        } catch (IOException e) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, 0, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Seals bytes (a thumbnail) the same way. */
    static Sealed seal(byte[] bytes) {
        try {
            Path tmp = Files.createTempFile("parley-thumb-", ".bin");
            try {
                Files.write(tmp, bytes);
                return seal(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ParleyException(ErrorCode.INTERNAL, 0, "cannot write a temporary file: " + e.getMessage(), e);
        }
    }

    /**
     * Decrypts a downloaded ciphertext into {@code target} (through {@code target.part}, moved into place only once
     * the tag and the SHA-256 both check out).
     *
     * @throws ParleyException {@code bad_request} when the ciphertext was altered or is not the file the message
     *                         names; nothing is left at {@code target} then
     */
    static void open(Path ciphertext, E2eeContent.SealedFile f, Path target) {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        byte[] plain = null;
        try {
            Cipher c = cipher(Cipher.DECRYPT_MODE, b64(f.key()), b64(f.nonce()));
            try {
                plain = c.doFinal(Files.readAllBytes(ciphertext));
            } catch (AEADBadTagException e) {
                throw new ParleyException(ErrorCode.BAD_REQUEST, 0,
                        "the attachment " + f.mediaId() + " was altered (authentication failed)", e);
            }
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain));
            if (!MessageDigest.isEqual(sha.getBytes(), f.sha256().getBytes()) || (f.size() >= 0 && plain.length != f.size())) {
                throw new ParleyException(ErrorCode.BAD_REQUEST, 0,
                        "the attachment " + f.mediaId() + " is not the file its message names (SHA-256 differs)", null);
            }
            Files.write(part, plain);
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ParleyException(ErrorCode.INTERNAL, 0, "cannot write " + target + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, 0, "the attachment " + f.mediaId() + " cannot be decrypted", e);
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                // best effort
            }
        }
    }

    /**
     * A JPEG thumbnail (longest edge at most 320 px) of an image the JDK can read, made here because the server
     * cannot see the picture. Empty for anything else (or where {@code javax.imageio} is not available).
     */
    static Optional<Thumbnail> thumbnail(Path file, String mime) {
        if (mime == null || !mime.startsWith("image/")) {
            return Optional.empty();
        }
        try {
            if (Files.size(file) > THUMBNAIL_MAX_SOURCE) {
                return Optional.empty();
            }
            BufferedImage src = ImageIO.read(file.toFile());
            if (src == null || src.getWidth() <= 0 || src.getHeight() <= 0) {
                return Optional.empty();
            }
            double scale = Math.min(1.0, (double) THUMBNAIL_EDGE / Math.max(src.getWidth(), src.getHeight()));
            int w = Math.max(1, (int) Math.round(src.getWidth() * scale));
            int h = Math.max(1, (int) Math.round(src.getHeight() * scale));
            BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            var g = dst.createGraphics();
            try {
                g.drawImage(src.getScaledInstance(w, h, Image.SCALE_SMOOTH), 0, 0, java.awt.Color.WHITE, null);
            } finally {
                g.dispose();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(dst, "jpg", out)) {
                return Optional.empty();
            }
            return Optional.of(new Thumbnail(out.toByteArray(), w, h, src.getWidth(), src.getHeight()));
        } catch (IOException | RuntimeException | LinkageError e) {
            return Optional.empty(); // no thumbnail is fine: the message still carries the file
        }
    }

    private static Cipher cipher(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        return c;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] b64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
