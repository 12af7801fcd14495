package dev.parley.crypto.mls.schedule;

import dev.parley.crypto.mls.MlsGenerationException;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;
import java.util.TreeMap;

/**
 * One sender's handshake or application hash ratchet (RFC 9420 §9.1). Keys are handed out once: a used
 * generation's key is deleted, which gives forward secrecy and refuses replays. Receiving out of order
 * is allowed within bounds: at most {@link #MAX_FORWARD_GAP} generations ahead of the next expected one
 * (each skipped generation costs three HKDF calls, so an unbounded gap is a CPU-exhaustion attack), and
 * at most {@link #MAX_RETAINED} skipped keys kept for late messages, oldest dropped first. Not
 * thread-safe: a group's state is driven by one thread at a time.
 */
public final class HashRatchet {
  /** How far past the next expected generation a message may be. */
  public static final int MAX_FORWARD_GAP = 1024;
  /** How many skipped generations' keys are kept for messages that arrive late. */
  public static final int MAX_RETAINED = 1024;
  private static final long MAX_GENERATION = 0xffffffffL;

  private final CipherSuite suite;
  private byte[] secret;
  private long next;
  private final TreeMap<Long, RatchetKey> retained = new TreeMap<>();

  /** Starts at generation 0 from {@code secret}, which this ratchet then owns (and wipes). */
  public HashRatchet(CipherSuite suite, byte[] secret) {
    this.suite = suite;
    this.secret = secret;
  }

  /** The generation the next {@link #nextForSending()} will return. */
  public long nextGeneration() {
    return next;
  }

  /** The key for the next generation, for encrypting; the ratchet moves past it. */
  public RatchetKey nextForSending() {
    return advance();
  }

  /**
   * The key for {@code generation} (an unsigned 32-bit value from a message), for decrypting: a retained
   * key if it was skipped earlier, else ratcheting forward to it.
   *
   * @throws MlsGenerationException if it was used or dropped already, or lies too far ahead
   */
  public RatchetKey forGeneration(long generation) {
    if (generation < 0 || generation > MAX_GENERATION) {
      throw new MlsGenerationException("generation out of range");
    }
    if (generation < next) {
      RatchetKey kept = retained.remove(generation);
      if (kept == null) {
        throw new MlsGenerationException("generation " + generation + " already used or expired");
      }
      return kept;
    }
    if (generation - next > MAX_FORWARD_GAP) {
      throw new MlsGenerationException("generation " + generation + " is too far ahead of " + next);
    }
    while (next < generation) {
      RatchetKey skipped = advance();
      retained.put(skipped.generation(), skipped);
      if (retained.size() > MAX_RETAINED) {
        retained.pollFirstEntry().getValue().wipe();
      }
    }
    return advance();
  }

  /**
   * Returns a key obtained from {@link #forGeneration} whose message then failed to decrypt, so that a
   * corrupted copy does not cost the genuine message its key. Only keys of this ratchet's past
   * generations are taken back; they count against {@link #MAX_RETAINED} like any skipped key.
   */
  public void putBack(RatchetKey key) {
    if (key.generation() < next && !retained.containsKey(key.generation())) {
      retained.put(key.generation(), key);
      if (retained.size() > MAX_RETAINED) {
        retained.pollFirstEntry().getValue().wipe();
      }
    }
  }

  private RatchetKey advance() {
    if (next > MAX_GENERATION) {
      throw new MlsGenerationException("ratchet exhausted");
    }
    long g = next;
    byte[] key = suite.deriveTreeSecret(secret, "key", g, CipherSuite.NK);
    byte[] nonce = suite.deriveTreeSecret(secret, "nonce", g, CipherSuite.NN);
    byte[] following = suite.deriveTreeSecret(secret, "secret", g, CipherSuite.NH);
    Zeroize.wipe(secret);
    secret = following;
    next = g + 1;
    return new RatchetKey(g, key, nonce);
  }

  /**
   * Writes this ratchet's whole state (current secret, next generation, retained keys) for
   * {@link dev.parley.crypto.mls.group.GroupState}; the output is as secret as the ratchet.
   */
  public void writeState(dev.parley.crypto.mls.codec.TlsWriter w) {
    w.opaque(secret).uint64(next);
    w.list(java.util.List.copyOf(retained.values()), (v, k) -> v.uint32(k.generation()).opaque(k.key()).opaque(k.nonce()));
  }

  /** Reads what {@link #writeState} wrote. */
  public static HashRatchet readState(CipherSuite suite, dev.parley.crypto.mls.codec.TlsReader r) {
    HashRatchet h = new HashRatchet(suite, r.opaque());
    h.next = r.uint64();
    if (h.next < 0 || h.next > MAX_GENERATION + 1) {
      throw new dev.parley.crypto.mls.MlsDecodeException("ratchet generation out of range");
    }
    for (RatchetKey k : r.list(v -> new RatchetKey(v.uint32(), v.opaque(), v.opaque()))) {
      if (k.generation() >= h.next || h.retained.put(k.generation(), k) != null || h.retained.size() > MAX_RETAINED) {
        throw new dev.parley.crypto.mls.MlsDecodeException("impossible retained ratchet key");
      }
    }
    return h;
  }

  /** Clears the current secret and every retained key; the ratchet is unusable afterwards. */
  public void wipe() {
    Zeroize.wipe(secret);
    retained.values().forEach(RatchetKey::wipe);
    retained.clear();
    next = MAX_GENERATION + 1;
  }
}
