package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.Proposal;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.tree.RatchetTree;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * RFC 9420 §12.2 and §12.4: the rules a Commit's whole proposal list must follow, checked before any of
 * it is applied. Each refusal names the rule, never a secret.
 */
final class ProposalList {
  private ProposalList() {}

  /** One resolved proposal and who proposed it. */
  record Entry(Proposal proposal, Sender sender) {}

  static void check(RatchetTree tree, Sender committer, List<Entry> entries, boolean hasPath) {
    Set<Long> touchedLeaves = new HashSet<>();
    Set<String> addedSignatureKeys = new HashSet<>();
    Set<String> pskIds = new HashSet<>();
    Set<String> memberSignatureKeys = new HashSet<>();
    for (long i = 0; i < tree.leafCount(); i++) {
      tree.leaf(i).ifPresent(l -> memberSignatureKeys.add(hex(l.signatureKey())));
    }
    boolean pathRequired = entries.isEmpty();
    int contextExtensions = 0;
    HexFormat hf = HexFormat.of();
    for (Entry e : entries) {
      switch (e.proposal()) {
        case Proposal.Update u -> {
          pathRequired = true;
          if (e.sender().equals(committer)) {
            throw new MlsException("a Commit may not carry its committer's own Update");
          }
          if (!touchedLeaves.add(e.sender().index())) {
            throw new MlsException("two Updates or Removes for one leaf");
          }
        }
        case Proposal.Remove r -> {
          pathRequired = true;
          if (committer.type() == Sender.MEMBER && r.removed() == committer.index()) {
            throw new MlsException("a Commit may not remove its committer");
          }
          if (tree.leaf(r.removed()).isEmpty()) {
            throw new MlsException("Remove of a blank or absent leaf");
          }
          if (!touchedLeaves.add(r.removed())) {
            throw new MlsException("two Updates or Removes for one leaf");
          }
        }
        case Proposal.Add a -> {
          LeafNode leaf = a.keyPackage().leafNode();
          String key = hf.formatHex(leaf.signatureKey());
          if (memberSignatureKeys.contains(key) || !addedSignatureKeys.add(key)) {
            throw new MlsException("Add of a client already in the group or added twice");
          }
        }
        case Proposal.PreSharedKey p -> {
          String id = hf.formatHex(dev.parley.crypto.mls.codec.TlsWriter.encode(p.psk()::write));
          if (!pskIds.add(id)) {
            throw new MlsException("the same PSK proposed twice");
          }
        }
        case Proposal.GroupContextExtensions g -> {
          pathRequired = true;
          if (++contextExtensions > 1) {
            throw new MlsException("more than one GroupContextExtensions proposal");
          }
        }
        case Proposal.ReInit r -> {
          if (entries.size() > 1) {
            throw new MlsException("ReInit must be the only proposal");
          }
        }
        case Proposal.ExternalInit x -> throw new MlsException("ExternalInit outside an external commit");
      }
    }
    if (pathRequired && !hasPath) {
      throw new MlsException("this Commit requires an UpdatePath");
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
