package dev.parley.core.port;

/**
 * Decides whether uploaded bytes are a KeyPackage this server accepts for a device: well-formed, of the
 * ciphersuite the server speaks, signed by its leaf, valid now, and with a credential naming exactly this user
 * and device. The core knows nothing of MLS encodings; the adapter does.
 */
public interface KeyPackageCheck {

    /**
     * @param nowSeconds the current time, seconds since the epoch (for the KeyPackage's lifetime)
     * @throws IllegalArgumentException with a reason a client developer can act on, if the package is refused
     */
    void check(byte[] keyPackage, String userId, String deviceId, long nowSeconds);
}
