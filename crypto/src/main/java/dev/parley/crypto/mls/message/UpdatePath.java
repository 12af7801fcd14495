package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.suite.HpkeCiphertext;
import java.util.List;

/**
 * RFC 9420 §7.6 {@code UpdatePath}: the committer's new leaf, and for each node of its filtered direct
 * path a new public key with the path secret encrypted to each node of the copath's resolution.
 */
public record UpdatePath(LeafNode leafNode, List<Node> nodes) {
  /** {@code UpdatePathNode}. */
  public record Node(byte[] encryptionKey, List<HpkeCiphertext> encryptedPathSecret) {
    public static Node read(TlsReader r) {
      return new Node(r.opaque(), r.list(HpkeCiphertext::read));
    }

    public void write(TlsWriter w) {
      w.opaque(encryptionKey).list(encryptedPathSecret, (v, c) -> c.write(v));
    }
  }

  public static UpdatePath read(TlsReader r) {
    return new UpdatePath(LeafNode.read(r), r.list(Node::read));
  }

  public void write(TlsWriter w) {
    leafNode.write(w);
    w.list(nodes, (v, n) -> n.write(v));
  }
}
