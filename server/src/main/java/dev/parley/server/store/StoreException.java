package dev.parley.server.store;

/**
 * A storage operation failed for a reason the caller cannot fix (the database is unreachable, a disk is
 * full, a constraint the store did not expect). The message names the operation and its ids, never
 * message bodies or tokens.
 */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
