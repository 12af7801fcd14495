package dev.parley.server.push.webpush;

import dev.parley.server.push.EcKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Message encryption for Web Push, RFC 8291, in the {@code aes128gcm} content coding of RFC 8188: an
 * ephemeral P-256 key agreed (ECDH) with the browser's key, mixed with its authentication secret through
 * HKDF-SHA-256 into the content key and nonce, one AES-128-GCM record. Primitives: the JDK's ECDH and
 * AES-GCM, BouncyCastle's HKDF.
 */
public final class WebPushEncryption {
    /** The record size announced in the header; one record carries the whole payload. */
    static final int RECORD_SIZE = 4096;
    /** The largest payload one record holds: the record size less the padding delimiter and the GCM tag. */
    public static final int MAX_PLAINTEXT = RECORD_SIZE - 17;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebPushEncryption() {
    }

    /**
     * Encrypts {@code plaintext} for a subscription with a fresh ephemeral key and salt.
     *
     * @param uaPublic the browser's {@code p256dh} (65-byte uncompressed point)
     * @param auth     the browser's 16-byte authentication secret
     * @return the request body: header ({@code salt || rs || idlen || keyid}) then the record
     */
    public static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] auth) throws GeneralSecurityException {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return encrypt(plaintext, uaPublic, auth, EcKeys.generate(), salt);
    }

    /** As {@link #encrypt(byte[], byte[], byte[])} with a given ephemeral key pair and salt (test vectors). */
    static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] auth, KeyPair ephemeral, byte[] salt)
            throws GeneralSecurityException {
        if (plaintext.length > MAX_PLAINTEXT) {
            throw new GeneralSecurityException("push payload over " + MAX_PLAINTEXT + " bytes");
        }
        if (auth.length != 16 || salt.length != 16) {
            throw new GeneralSecurityException("auth secret and salt must be 16 bytes");
        }
        ECPublicKey ua = EcKeys.publicKey(uaPublic);
        byte[] asPublic = EcKeys.uncompressed((ECPublicKey) ephemeral.getPublic());

        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(ephemeral.getPrivate());
        ka.doPhase(ua, true);
        byte[] ecdhSecret = ka.generateSecret();

        // RFC 8291 §3.3-3.4: IKM = HKDF(salt = auth, ikm = ecdh, info = "WebPush: info" 0x00 ua_public as_public, 32)
        byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic);
        byte[] ikm = hkdf(auth, ecdhSecret, keyInfo, 32);
        // RFC 8188 §2.2-2.3: CEK and NONCE from HKDF(salt, IKM)
        byte[] cek = hkdf(salt, ikm, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
        byte[] nonce = hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);

        // One record, so it is the last: the padding delimiter is 0x02 (RFC 8188 §2), no further padding.
        byte[] padded = new byte[plaintext.length + 1];
        System.arraycopy(plaintext, 0, padded, 0, plaintext.length);
        padded[plaintext.length] = 0x02;
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        byte[] record = gcm.doFinal(padded);

        ByteBuffer out = ByteBuffer.allocate(16 + 4 + 1 + asPublic.length + record.length);
        out.put(salt).putInt(RECORD_SIZE).put((byte) asPublic.length).put(asPublic).put(record);
        return out.array();
    }

    static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
        g.init(new HKDFParameters(ikm, salt, info));
        byte[] out = new byte[length];
        g.generateBytes(out, 0, length);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
