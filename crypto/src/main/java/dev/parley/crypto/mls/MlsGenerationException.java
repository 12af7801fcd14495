package dev.parley.crypto.mls;

/**
 * A message asked for a ratchet generation this member cannot or will not produce: one already used
 * (a replay, or its key deleted for forward secrecy), or one too far ahead (refused so that a single
 * message cannot make us hash millions of times).
 */
public final class MlsGenerationException extends MlsException {
  public MlsGenerationException(String message) {
    super(message);
  }
}
