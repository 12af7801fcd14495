package dev.parley.crypto.mls.schedule;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;
import dev.parley.crypto.mls.tree.TreeMath;
import java.util.HashMap;
import java.util.Map;

/**
 * The secret tree of one epoch (RFC 9420 §9): from the epoch's {@code encryption_secret} at the root,
 * each parent's secret derives its children's ("tree", "left"/"right"), and each leaf's secret seeds
 * that member's handshake and application ratchets. Secrets are derived on first use and a parent's is
 * wiped as soon as both children exist, as §9 requires for forward secrecy. Not thread-safe.
 */
public final class SecretTree {
  private final CipherSuite suite;
  private final long leafCount;
  private final byte[][] nodeSecrets;
  private final Map<Long, HashRatchet[]> ratchets = new HashMap<>();

  /**
   * @param leafCount the group's leaf count (a power of two, as in the ratchet tree)
   * @param encryptionSecret the epoch's encryption secret, copied
   */
  public SecretTree(CipherSuite suite, byte[] encryptionSecret, long leafCount) {
    this.suite = suite;
    this.leafCount = leafCount;
    this.nodeSecrets = new byte[TreeMath.nodeWidth(leafCount)][];
    nodeSecrets[TreeMath.root(leafCount)] = encryptionSecret.clone();
  }

  public long leafCount() {
    return leafCount;
  }

  /** The handshake ratchet of {@code leaf} (proposals and commits). */
  public HashRatchet handshake(long leaf) {
    return ratchetsOf(leaf)[0];
  }

  /** The application ratchet of {@code leaf} (application messages). */
  public HashRatchet application(long leaf) {
    return ratchetsOf(leaf)[1];
  }

  private HashRatchet[] ratchetsOf(long leaf) {
    if (leaf < 0 || leaf >= leafCount) {
      throw new MlsException("leaf index " + leaf + " outside a tree of " + leafCount + " leaves");
    }
    HashRatchet[] pair = ratchets.get(leaf);
    if (pair == null) {
      byte[] leafSecret = deriveLeafSecret(TreeMath.leafToNode(leaf));
      pair = new HashRatchet[] {
          new HashRatchet(suite, suite.expandWithLabel(leafSecret, "handshake", new byte[0], CipherSuite.NH)),
          new HashRatchet(suite, suite.expandWithLabel(leafSecret, "application", new byte[0], CipherSuite.NH))};
      Zeroize.wipe(leafSecret);
      ratchets.put(leaf, pair);
    }
    return pair;
  }

  /** Walks up to the nearest node still holding a secret, then derives down to the leaf, consuming it. */
  private byte[] deriveLeafSecret(int leafNode) {
    int top = leafNode;
    while (nodeSecrets[top] == null) {
      top = TreeMath.parent(top, leafCount);
    }
    int node = top;
    while (node != leafNode) {
      byte[] secret = nodeSecrets[node];
      int left = TreeMath.left(node);
      int right = TreeMath.right(node);
      nodeSecrets[left] = suite.expandWithLabel(secret, "tree", bytes("left"), CipherSuite.NH);
      nodeSecrets[right] = suite.expandWithLabel(secret, "tree", bytes("right"), CipherSuite.NH);
      Zeroize.wipe(secret);
      nodeSecrets[node] = null;
      node = leafNode < node ? left : right;
    }
    byte[] leafSecret = nodeSecrets[leafNode];
    nodeSecrets[leafNode] = null;
    return leafSecret;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * Writes the tree's whole state (node secrets not yet consumed, every ratchet in use) for
   * {@link dev.parley.crypto.mls.group.GroupState}; the output is as secret as the tree.
   */
  public void writeState(dev.parley.crypto.mls.codec.TlsWriter w) {
    w.uint32(leafCount);
    w.vector(v -> {
      for (int i = 0; i < nodeSecrets.length; i++) {
        if (nodeSecrets[i] != null) {
          v.uint32(i).opaque(nodeSecrets[i]);
        }
      }
    });
    w.vector(v -> new java.util.TreeMap<>(ratchets).forEach((leaf, pair) -> {
      v.uint32(leaf);
      pair[0].writeState(v);
      pair[1].writeState(v);
    }));
  }

  /** Reads what {@link #writeState} wrote. */
  public static SecretTree readState(CipherSuite suite, dev.parley.crypto.mls.codec.TlsReader r) {
    long leaves = r.uint32();
    if (leaves < 1 || leaves > TreeMath.MAX_LEAVES || Long.bitCount(leaves) != 1) {
      throw new dev.parley.crypto.mls.MlsDecodeException("secret tree leaf count " + leaves);
    }
    SecretTree t = new SecretTree(suite, new byte[0], leaves);
    t.nodeSecrets[TreeMath.root(leaves)] = null;
    dev.parley.crypto.mls.codec.TlsReader secrets = r.vector();
    while (secrets.hasRemaining()) {
      long node = secrets.uint32();
      if (node >= t.nodeSecrets.length || t.nodeSecrets[(int) node] != null) {
        throw new dev.parley.crypto.mls.MlsDecodeException("secret tree node " + node);
      }
      t.nodeSecrets[(int) node] = secrets.opaque();
    }
    dev.parley.crypto.mls.codec.TlsReader ratchets = r.vector();
    while (ratchets.hasRemaining()) {
      long leaf = ratchets.uint32();
      HashRatchet[] pair = {HashRatchet.readState(suite, ratchets), HashRatchet.readState(suite, ratchets)};
      if (leaf >= leaves || t.ratchets.put(leaf, pair) != null) {
        throw new dev.parley.crypto.mls.MlsDecodeException("secret tree ratchet for leaf " + leaf);
      }
    }
    return t;
  }

  /** Clears every secret and ratchet of the tree, for when the epoch ends. */
  public void wipe() {
    for (byte[] s : nodeSecrets) {
      Zeroize.wipe(s);
    }
    ratchets.values().forEach(p -> {
      p[0].wipe();
      p[1].wipe();
    });
    ratchets.clear();
  }
}
