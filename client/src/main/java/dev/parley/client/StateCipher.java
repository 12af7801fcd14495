package dev.parley.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the MLS secrets the local store keeps (the device's signature key, KeyPackage private keys, every
 * group's state) with AES-256-GCM, so that a copy of the SQLite file alone reveals no key. Each value is
 * bound to what it is ({@code purpose}, e.g. the conversation id) through the associated data, so a sealed
 * value moved to another row does not open. Layout: version byte 1, 12-byte random nonce, ciphertext and tag.
 *
 * <p>The key is one the app gives ({@link ParleyClientBuilder#stateKey}, e.g. from the OS keystore), or else a
 * random key kept in a file of its own beside the store, created with owner-only permissions (0600).
 * Thread-safe.
 */
final class StateCipher {
    private static final int VERSION = 1;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private StateCipher(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the state key must be 32 bytes (AES-256)");
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
    }

    static StateCipher of(byte[] key) {
        return new StateCipher(key);
    }

    /**
     * The key in {@code keyFile}, made (32 random bytes, owner read/write only) if the file does not exist.
     * Creation is atomic: two processes opening the same store at once end up with the same key.
     */
    static StateCipher fromKeyFile(Path keyFile) {
        try {
            if (!Files.exists(keyFile)) {
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                Path tmp = keyFile.resolveSibling(keyFile.getFileName() + "." + Long.toHexString(RANDOM.nextLong()));
                try {
                    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createFile(tmp);
                }
                Files.write(tmp, fresh, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
                Arrays.fill(fresh, (byte) 0);
                try {
                    Files.createLink(keyFile, tmp); // fails if another process made the key first
                } catch (FileAlreadyExistsException raced) {
                    // theirs wins
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            byte[] key = Files.readAllBytes(keyFile);
            try {
                return new StateCipher(key);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the state key file " + keyFile, e);
        }
    }

    byte[] seal(String purpose, byte[] plaintext) {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(purpose));
            byte[] ct = c.doFinal(plaintext);
            byte[] out = new byte[1 + NONCE + ct.length];
            out[0] = VERSION;
            System.arraycopy(nonce, 0, out, 1, NONCE);
            System.arraycopy(ct, 0, out, 1 + NONCE, ct.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** @throws IllegalStateException if the value was not sealed with this key for this purpose */
    byte[] open(String purpose, byte[] sealed) {
        if (sealed.length < 1 + NONCE + TAG_BITS / 8 || sealed[0] != VERSION) {
            throw new IllegalStateException("sealed state of unknown format");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE));
            c.updateAAD(aad(purpose));
            return c.doFinal(sealed, 1 + NONCE, sealed.length - 1 - NONCE);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalStateException("sealed state does not open with this key (wrong key file?)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private static byte[] aad(String purpose) {
        return ("parley-mls-state/v1/" + purpose).getBytes(StandardCharsets.UTF_8);
    }
}
