package dev.parley.crypto.mls.tree;

import dev.parley.crypto.mls.suite.Zeroize;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A member's private TreeKEM state (RFC 9420 §7.4): the HPKE private key of its own leaf and of every
 * parent node it knows the path secret of. Secret: {@link #toString()} names only node indices.
 */
public final class PathKeys {
  private final long leaf;
  private final Map<Integer, byte[]> privateKeys = new HashMap<>();

  public PathKeys(long leaf, byte[] leafPrivateKey) {
    this.leaf = leaf;
    privateKeys.put(TreeMath.leafToNode(leaf), leafPrivateKey.clone());
  }

  public long leaf() {
    return leaf;
  }

  public Optional<byte[]> privateKey(int node) {
    return Optional.ofNullable(privateKeys.get(node));
  }

  /** Sets a node's private key (a copy is kept), wiping any key it replaces. */
  public void put(int node, byte[] privateKey) {
    Zeroize.wipe(privateKeys.put(node, privateKey.clone()));
  }

  /** Forgets a node's key, for nodes blanked or replaced by someone else's commit. */
  public void remove(int node) {
    Zeroize.wipe(privateKeys.remove(node));
  }

  /**
   * Drops every private key whose node is now blank or holds a different public key (replaced by someone
   * else's Update or Commit): keeping it would serve no one and only widen what a compromise reveals.
   */
  public void retainMatching(dev.parley.crypto.mls.suite.CipherSuite suite, RatchetTree tree) {
    privateKeys.entrySet().removeIf(e -> {
      if (e.getKey() >= tree.nodeCount()) {
        Zeroize.wipe(e.getValue());
        return true;
      }
      byte[] pub = tree.node(e.getKey()).map(n -> n.leaf() != null ? n.leaf().encryptionKey()
          : n.parent().encryptionKey()).orElse(null);
      boolean keep = pub != null && java.security.MessageDigest.isEqual(pub, suite.hpkePublicKey(e.getValue()));
      if (!keep) {
        Zeroize.wipe(e.getValue());
      }
      return !keep;
    });
  }

  public PathKeys copy() {
    PathKeys c = new PathKeys(leaf, privateKeys.get(TreeMath.leafToNode(leaf)));
    privateKeys.forEach(c::put);
    return c;
  }

  /** Writes the leaf and every private key, for {@link dev.parley.crypto.mls.group.GroupState}. */
  public void writeState(dev.parley.crypto.mls.codec.TlsWriter w) {
    w.uint32(leaf);
    w.vector(v -> new java.util.TreeMap<>(privateKeys).forEach((node, key) -> v.uint32(node).opaque(key)));
  }

  /** Reads what {@link #writeState} wrote; the leaf's own key must be among the keys. */
  public static PathKeys readState(dev.parley.crypto.mls.codec.TlsReader r) {
    long leaf = r.uint32();
    Map<Integer, byte[]> keys = new HashMap<>();
    dev.parley.crypto.mls.codec.TlsReader v = r.vector();
    while (v.hasRemaining()) {
      long node = v.uint32();
      if (node > Integer.MAX_VALUE || keys.put((int) node, v.opaque()) != null) {
        throw new dev.parley.crypto.mls.MlsDecodeException("path key node " + node);
      }
    }
    byte[] own = keys.get(TreeMath.leafToNode(leaf));
    if (own == null) {
      throw new dev.parley.crypto.mls.MlsDecodeException("path keys without the leaf's own key");
    }
    PathKeys p = new PathKeys(leaf, own);
    keys.forEach(p::put);
    keys.values().forEach(Zeroize::wipe);
    return p;
  }

  public void wipe() {
    privateKeys.values().forEach(Zeroize::wipe);
    privateKeys.clear();
  }

  @Override
  public String toString() {
    return "PathKeys[leaf=" + leaf + ", nodes=" + privateKeys.keySet() + "]";
  }
}
