package dev.parley.crypto.mls;

/**
 * A signature, MAC or AEAD tag did not verify. Deliberately says no more than which check failed,
 * so that the error cannot serve as an oracle.
 */
public final class MlsAuthenticationException extends MlsException {
  public MlsAuthenticationException(String message) {
    super(message);
  }
}
