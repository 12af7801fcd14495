package dev.parley.core.media;

import java.util.Arrays;
import java.util.Objects;

/**
 * A secret that signs short-lived media links. Keys rotate: links are signed with the newest key and
 * carry its {@code keyId}, and older keys keep verifying their links until those have expired.
 */
public record SigningKey(String keyId, byte[] secret, long createdAtMs) {
    public SigningKey {
        Objects.requireNonNull(keyId, "keyId");
        if (secret == null || secret.length < 32) {
            throw new IllegalArgumentException("a signing key needs at least 32 secret bytes");
        }
        secret = secret.clone();
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey k && k.keyId.equals(keyId) && Arrays.equals(k.secret, secret)
                && k.createdAtMs == createdAtMs;
    }

    @Override
    public int hashCode() {
        return keyId.hashCode();
    }

    @Override
    public String toString() {
        return "SigningKey[keyId=" + keyId + ", createdAtMs=" + createdAtMs + "]";
    }
}
