package dev.parley.server.mls;

import dev.parley.core.port.KeyPackageCheck;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Delivery Service's check of an uploaded KeyPackage: an {@code MLSMessage} of wire format
 * {@code mls_key_package} that passes the {@code crypto} module's own KeyPackage validation
 * ({@link KeyPackages#validate}: protocol {@code mls10}, ciphersuite 1, a KeyPackage leaf, an init key different
 * from the leaf's encryption key, both signatures), whose leaf advertises suite 1, whose lifetime covers now,
 * and whose basic credential's identity is exactly {@link #identity(String, String)}: so a package can only ever
 * add the device that uploaded it.
 */
public final class MlsKeyPackageCheck implements KeyPackageCheck {
    private static final CipherSuite SUITE = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
    /** A KeyPackage may start being valid a little in the future (clocks differ). */
    private static final long CLOCK_SKEW_SECONDS = 3600;

    /** The basic-credential identity of a device: the UTF-8 bytes of {@code <userId>/<deviceId>}. */
    public static byte[] identity(String userId, String deviceId) {
        return (userId + "/" + deviceId).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void check(byte[] bytes, String userId, String deviceId, long nowSeconds) {
        MlsMessage message;
        try {
            message = MlsMessage.decode(bytes);
        } catch (MlsException e) {
            throw new IllegalArgumentException("not an MLSMessage: " + e.getMessage());
        }
        if (message.wireFormat() != WireFormat.KEY_PACKAGE) {
            throw new IllegalArgumentException("an MLSMessage of wire format mls_key_package (5) is expected, not "
                    + message.wireFormat());
        }
        KeyPackage kp = message.keyPackage();
        LeafNode leaf = kp.leafNode();
        if (!leaf.capabilities().cipherSuites().contains(SUITE.id())) {
            throw new IllegalArgumentException("the leaf's capabilities must include ciphersuite " + SUITE.id());
        }
        Credential credential = leaf.credential();
        if (credential.type() != Credential.BASIC
                || !Arrays.equals(credential.identity(), identity(userId, deviceId))) {
            throw new IllegalArgumentException("the credential must be a basic credential naming this device ("
                    + userId + "/" + deviceId + ")");
        }
        // Lifetimes are unsigned 64-bit seconds; a start up to an hour ahead is accepted (clocks differ).
        if (Long.compareUnsigned(leaf.notBefore(), nowSeconds + CLOCK_SKEW_SECONDS) > 0
                || Long.compareUnsigned(nowSeconds, leaf.notAfter()) >= 0) {
            throw new IllegalArgumentException("outside its lifetime (not_before/not_after)");
        }
        // Everything else is MLS's own rule (RFC 9420 §10.1), checked by the same code the clients use. It is
        // asked at a moment inside the lifetime just accepted, so that the skew allowance above holds.
        long inside = Long.compareUnsigned(leaf.notBefore(), nowSeconds) > 0 ? leaf.notBefore() : nowSeconds;
        try {
            KeyPackages.validate(SUITE, kp, inside);
        } catch (MlsException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }
}
