package dev.parley.server.push;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** PEM-armoured PKCS#8 private keys, as push credentials come (Google service accounts, Apple {@code .p8} files). */
public final class Pem {
    private Pem() {
    }

    /** A PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}) of {@code algorithm} ({@code RSA}, {@code EC}). */
    public static PrivateKey privateKey(String pem, String algorithm) throws GeneralSecurityException {
        byte[] der = body(pem, "PRIVATE KEY");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    private static byte[] body(String pem, String label) throws GeneralSecurityException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            throw new GeneralSecurityException("expected a PEM block " + begin);
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new GeneralSecurityException("bad base64 in PEM", ex);
        }
    }
}
