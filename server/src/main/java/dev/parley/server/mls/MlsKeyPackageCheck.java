package dev.parley.server.mls;

import dev.parley.core.port.KeyPackageCheck;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Delivery Service's check of an uploaded KeyPackage (RFC 9420 §10.1), with the {@code crypto} module's
 * decoder and signature checks: an {@code MLSMessage} of wire format {@code mls_key_package}, protocol
 * {@code mls10}, ciphersuite 1, a leaf made for a KeyPackage whose capabilities include suite 1, a valid
 * lifetime now, an init key different from the leaf's encryption key, both signatures valid under the leaf's
 * signature key, and a basic credential whose identity is exactly {@link #identity(String, String)}: so a
 * package can only ever add the device that uploaded it.
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
        if (kp.version() != 1) {
            throw new IllegalArgumentException("protocol version must be mls10 (1)");
        }
        if (kp.cipherSuite() != SUITE.id()) {
            throw new IllegalArgumentException("ciphersuite must be " + SUITE.id()
                    + " (MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519), not " + kp.cipherSuite());
        }
        LeafNode leaf = kp.leafNode();
        if (leaf.source() != LeafNode.SOURCE_KEY_PACKAGE) {
            throw new IllegalArgumentException("the leaf node must be made for a KeyPackage");
        }
        if (!leaf.capabilities().cipherSuites().contains(SUITE.id())) {
            throw new IllegalArgumentException("the leaf's capabilities must include ciphersuite " + SUITE.id());
        }
        Credential credential = leaf.credential();
        if (credential.type() != Credential.BASIC
                || !Arrays.equals(credential.identity(), identity(userId, deviceId))) {
            throw new IllegalArgumentException("the credential must be a basic credential naming this device ("
                    + userId + "/" + deviceId + ")");
        }
        // Lifetimes are unsigned 64-bit seconds.
        if (Long.compareUnsigned(leaf.notBefore(), nowSeconds + CLOCK_SKEW_SECONDS) > 0
                || Long.compareUnsigned(nowSeconds, leaf.notAfter()) >= 0) {
            throw new IllegalArgumentException("outside its lifetime (not_before/not_after)");
        }
        if (Arrays.equals(kp.initKey(), leaf.encryptionKey())) {
            throw new IllegalArgumentException("the init key must differ from the leaf's encryption key");
        }
        if (!SUITE.verifyWithLabel(leaf.signatureKey(), "LeafNodeTBS", leaf.toBeSigned(new byte[0], 0),
                leaf.signature())) {
            throw new IllegalArgumentException("the leaf node's signature does not verify");
        }
        if (!SUITE.verifyWithLabel(leaf.signatureKey(), "KeyPackageTBS", kp.toBeSigned(), kp.signature())) {
            throw new IllegalArgumentException("the KeyPackage's signature does not verify");
        }
    }
}
