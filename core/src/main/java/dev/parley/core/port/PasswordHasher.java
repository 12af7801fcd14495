package dev.parley.core.port;

/** One-way password hashing with a per-password salt, encoded with its parameters. */
public interface PasswordHasher {

    String hash(char[] password);

    /** Constant-time check of a password against a stored {@link #hash}. */
    boolean verify(char[] password, String encodedHash);
}
