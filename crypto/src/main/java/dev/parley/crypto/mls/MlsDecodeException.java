package dev.parley.crypto.mls;

/** Input that is not a well-formed TLS/MLS encoding: truncated, over-long, non-minimal or with trailing bytes. */
public final class MlsDecodeException extends MlsException {
  public MlsDecodeException(String message) {
    super(message);
  }
}
