package dev.parley.server.gateway;

import dev.parley.core.port.PasswordHasher;

/** A stand-in for Argon2 in the gateways' in-memory tests (the real hasher is tested elsewhere). */
public final class PlainHasher implements PasswordHasher {
    @Override
    public String hash(char[] password) {
        return "plain:" + new String(password);
    }

    @Override
    public boolean verify(char[] password, String encodedHash) {
        return hash(password).equals(encodedHash);
    }
}
