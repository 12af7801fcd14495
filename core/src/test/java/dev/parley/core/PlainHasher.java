package dev.parley.core;

import dev.parley.core.port.PasswordHasher;

/** A stand-in for Argon2 in in-memory tests and benchmarks (the real hasher is tested on its own). */
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
