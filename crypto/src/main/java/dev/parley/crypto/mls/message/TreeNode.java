package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * RFC 9420 §7.8 {@code Node} of a ratchet tree: a leaf or a parent; exactly one is set. Also reads and
 * writes the {@code optional<Node> ratchet_tree<V>} encoding of whole trees (§12.4.3.3).
 */
public record TreeNode(LeafNode leaf, ParentNode parent) {
  /** §7.1 {@code ParentNode}. */
  public record ParentNode(byte[] encryptionKey, byte[] parentHash, List<Long> unmergedLeaves) {
    public static ParentNode read(TlsReader r) {
      return new ParentNode(r.opaque(), r.opaque(), r.list(TlsReader::uint32));
    }

    public void write(TlsWriter w) {
      w.opaque(encryptionKey).opaque(parentHash).list(unmergedLeaves, TlsWriter::uint32);
    }
  }

  public static TreeNode read(TlsReader r) {
    int type = r.uint8();
    return switch (type) {
      case 1 -> new TreeNode(LeafNode.read(r), null);
      case 2 -> new TreeNode(null, ParentNode.read(r));
      default -> throw new MlsDecodeException("unknown node type " + type);
    };
  }

  public void write(TlsWriter w) {
    if (leaf != null) {
      w.uint8(1);
      leaf.write(w);
    } else {
      w.uint8(2);
      parent.write(w);
    }
  }

  /** {@code optional<Node> ratchet_tree<V>}: blanks are empty optionals, in node-index order. */
  public static List<Optional<TreeNode>> readTree(TlsReader r) {
    TlsReader v = r.vector();
    List<Optional<TreeNode>> out = new ArrayList<>();
    while (v.hasRemaining()) {
      out.add(v.present() ? Optional.of(read(v)) : Optional.empty());
    }
    return List.copyOf(out);
  }

  public static void writeTree(TlsWriter w, List<Optional<TreeNode>> nodes) {
    w.list(nodes, (v, n) -> v.optional(n.isPresent(), x -> n.get().write(x)));
  }
}
