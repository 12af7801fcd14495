package dev.parley.server.push;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;

/** P-256 keys as push protocols exchange them: uncompressed points (65 bytes), PKCS#8 private keys. */
public final class EcKeys {
    private static final ECParameterSpec P256 = p256();

    private EcKeys() {
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec("secp256r1"));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is not available", e);
        }
    }

    /** A fresh P-256 key pair. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(P256);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a P-256 key pair", e);
        }
    }

    /** {@code 0x04 || X || Y}, each coordinate 32 bytes big-endian. */
    public static byte[] uncompressed(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 0x04;
        fixed(key.getW().getAffineX(), out, 1);
        fixed(key.getW().getAffineY(), out, 33);
        return out;
    }

    private static void fixed(BigInteger v, byte[] out, int offset) {
        byte[] b = v.toByteArray();
        int len = Math.min(b.length, 32);
        System.arraycopy(b, b.length - len, out, offset + 32 - len, len);
    }

    /** The public key of an uncompressed point; refuses points that are not on the curve. */
    public static ECPublicKey publicKey(byte[] uncompressed) throws GeneralSecurityException {
        if (uncompressed.length != 65 || uncompressed[0] != 0x04) {
            throw new GeneralSecurityException("not an uncompressed P-256 point");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(uncompressed, 1, 33));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(uncompressed, 33, 65));
        // The JDK's ECDH checks that the point is on the curve when the key is used.
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
    }

    /** A key pair from its stored form: the uncompressed public point followed by the PKCS#8 private key. */
    public static KeyPair fromStored(byte[] stored) throws GeneralSecurityException {
        ECPublicKey pub = publicKey(Arrays.copyOfRange(stored, 0, 65));
        var priv = KeyFactory.getInstance("EC").generatePrivate(
                new PKCS8EncodedKeySpec(Arrays.copyOfRange(stored, 65, stored.length)));
        return new KeyPair(pub, priv);
    }

    /** The stored form of a key pair (see {@link #fromStored}). */
    public static byte[] toStored(KeyPair pair) {
        byte[] pub = uncompressed((ECPublicKey) pair.getPublic());
        byte[] priv = pair.getPrivate().getEncoded();
        byte[] out = Arrays.copyOf(pub, pub.length + priv.length);
        System.arraycopy(priv, 0, out, pub.length, priv.length);
        return out;
    }
}
