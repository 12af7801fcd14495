package dev.parley.server.push;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** PEM-armoured keys and certificates as push credentials come: PKCS#8 private keys, X.509 CA certificates. */
public final class Pem {
    private Pem() {
    }

    /** A PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}) of {@code algorithm} ({@code RSA}, {@code EC}). */
    public static PrivateKey privateKey(String pem, String algorithm) throws GeneralSecurityException {
        byte[] der = body(pem, "PRIVATE KEY");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** A TLS context that trusts exactly the certificates in {@code pem} (a private CA or a test certificate). */
    public static SSLContext trusting(String pem) throws GeneralSecurityException {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            var certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            int i = 0;
            for (var c : certs) {
                ks.setCertificateEntry("ca" + i++, (X509Certificate) c);
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate in the PEM");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot read certificates", e);
        }
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
