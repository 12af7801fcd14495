package dev.parley.crypto.mls.schedule;

import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.message.AuthenticatedContent;
import dev.parley.crypto.mls.suite.CipherSuite;

/**
 * RFC 9420 §8.2: the transcript hashes that chain every Commit into the group's history, and §6.1's
 * confirmation tag that proves a committer derived the same epoch.
 */
public final class TranscriptHashes {
  private TranscriptHashes() {}

  /** {@code confirmed_transcript_hash_[n] = Hash(interim_[n-1] || ConfirmedTranscriptHashInput_[n])}. */
  public static byte[] confirmed(CipherSuite suite, byte[] interimBefore, AuthenticatedContent commit) {
    byte[] input = commit.confirmedTranscriptHashInput();
    byte[] joined = new byte[interimBefore.length + input.length];
    System.arraycopy(interimBefore, 0, joined, 0, interimBefore.length);
    System.arraycopy(input, 0, joined, interimBefore.length, input.length);
    return suite.hash(joined);
  }

  /** {@code interim_transcript_hash_[n] = Hash(confirmed_[n] || InterimTranscriptHashInput_[n])}. */
  public static byte[] interim(CipherSuite suite, byte[] confirmed, byte[] confirmationTag) {
    return suite.hash(TlsWriter.encode(w -> w.fixed(confirmed).opaque(confirmationTag)));
  }

  /** {@code confirmation_tag = MAC(confirmation_key, confirmed_transcript_hash)}. */
  public static byte[] confirmationTag(CipherSuite suite, byte[] confirmationKey, byte[] confirmed) {
    return suite.mac(confirmationKey, confirmed);
  }

  /** Checks a received confirmation tag in constant time. */
  public static boolean verifyConfirmationTag(CipherSuite suite, byte[] confirmationKey, byte[] confirmed,
      byte[] tag) {
    return suite.verifyMac(confirmationKey, confirmed, tag);
  }
}
