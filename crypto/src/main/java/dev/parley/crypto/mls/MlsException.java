package dev.parley.crypto.mls;

/**
 * Base of every error the MLS code raises on bad input or a failed check. Unchecked, so that callers
 * handling one message can catch this one type and drop the message; its text never holds secrets.
 */
public class MlsException extends RuntimeException {
  public MlsException(String message) {
    super(message);
  }

  public MlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
