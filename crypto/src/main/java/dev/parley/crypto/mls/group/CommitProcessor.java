package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.MlsAuthenticationException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.framing.PublicMessageProtection;
import dev.parley.crypto.mls.framing.SignatureKeys;
import dev.parley.crypto.mls.message.AuthenticatedContent;
import dev.parley.crypto.mls.message.Commit;
import dev.parley.crypto.mls.message.Extension;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.Proposal;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.schedule.EpochSecrets;
import dev.parley.crypto.mls.schedule.KeySchedule;
import dev.parley.crypto.mls.schedule.PreSharedKeyId;
import dev.parley.crypto.mls.schedule.TranscriptHashes;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.tree.PathKeys;
import dev.parley.crypto.mls.tree.RatchetTree;
import dev.parley.crypto.mls.tree.TreeHashes;
import dev.parley.crypto.mls.tree.TreeKem;
import dev.parley.crypto.mls.tree.TreeOperations;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Applies a Commit sent by another member as a PublicMessage (RFC 9420 §12.4.2), moving the group to
 * the next epoch: authenticate it, resolve its proposals (inline, or by reference to proposals received
 * in this epoch), apply them to a copy of the tree, merge and decrypt the UpdatePath, run the key
 * schedule and check the confirmation tag. The group changes only when every check has passed.
 *
 * <p>Not yet covered: commits in PrivateMessages, external senders and external commits, ReInit, and
 * checking proposals against the members' capabilities and required extensions.
 */
public final class CommitProcessor {
  private CommitProcessor() {}


  /**
   * @param proposals the proposal messages received in this epoch (PublicMessages)
   */
  public static void apply(Group group, MlsMessage commitMessage, List<MlsMessage> proposals, PskStore psks) {
    CipherSuite suite = group.suite();
    GroupContext old = group.context();
    AuthenticatedContent commitContent = unprotect(group, commitMessage);
    if (!(commitContent.content().content() instanceof Commit commit)) {
      throw new MlsException("not a Commit");
    }
    Sender committer = commitContent.content().sender();
    if (committer.type() != Sender.MEMBER) {
      throw new MlsException("only member commits are supported");
    }
    List<ProposalList.Entry> resolved = resolve(group, commit, committer, proposals);
    ProposalList.check(group.tree(), committer, resolved, commit.path().isPresent());

    Applied applied = applyProposals(group, committer, resolved);
    PathKeys keys = group.pathKeys().copy();
    try {
      advance(group, commitContent, commit, applied, keys, psks);
    } catch (RuntimeException e) {
      keys.wipe();
      throw e;
    }
  }

  /** The second half of {@link #apply}: path, key schedule, confirmation tag, and the move to the new epoch. */
  private static void advance(Group group, AuthenticatedContent commitContent, Commit commit, Applied applied,
      PathKeys keys, PskStore psks) {
    CipherSuite suite = group.suite();
    GroupContext old = group.context();
    RatchetTree tree = applied.tree();
    List<Extension> extensions = applied.extensions();
    long committer = commitContent.content().sender().index();
    byte[] commitSecret = KeySchedule.zero();
    if (commit.path().isPresent()) {
      List<Integer> filtered = tree.filteredDirectPath(committer);
      TreeKem.merge(suite, tree, committer, commit.path().get(), old.groupId());
      GroupContext provisional = new GroupContext(old.cipherSuite(), old.groupId(), old.epoch() + 1,
          TreeHashes.root(suite, tree), old.confirmedTranscriptHash(), extensions);
      commitSecret = TreeKem.decrypt(suite, tree, committer, filtered, commit.path().get(), keys, applied.added(),
          provisional).commitSecret();
    }
    keys.retainMatching(suite, tree);

    byte[] confirmed = TranscriptHashes.confirmed(suite, group.interimTranscriptHash(), commitContent);
    GroupContext next = new GroupContext(old.cipherSuite(), old.groupId(), old.epoch() + 1,
        TreeHashes.root(suite, tree), confirmed, extensions);
    byte[] pskSecret = group.pskStore(psks).secretFor(suite, applied.pskIds());
    EpochSecrets secrets = KeySchedule.advance(suite, group.secrets().initSecret(), commitSecret, pskSecret,
        next.encode());
    byte[] tag = commitContent.auth().confirmationTag();
    if (!TranscriptHashes.verifyConfirmationTag(suite, secrets.confirmationKey(), confirmed, tag)) {
      secrets.wipe();
      throw new MlsAuthenticationException("confirmation tag did not verify");
    }
    group.enter(next, tree, keys, secrets, TranscriptHashes.interim(suite, confirmed, tag));
  }

  /** The tree and context changes of a Commit's proposals, before its path. */
  private record Applied(RatchetTree tree, List<Extension> extensions, Set<Long> added, List<PreSharedKeyId> pskIds) {}

  /** §12.4.2: GroupContextExtensions, then Updates, Removes, Adds, and the PSKs, on a copy of the tree. */
  private static Applied applyProposals(Group group, Sender committer, List<ProposalList.Entry> resolved) {
    CipherSuite suite = group.suite();
    GroupContext old = group.context();
    RatchetTree tree = group.tree().copy();
    List<Extension> extensions = old.extensions();
    Set<Long> added = new HashSet<>();
    List<PreSharedKeyId> pskIds = new ArrayList<>();
    for (ProposalList.Entry s : resolved) {
      if (s.proposal() instanceof Proposal.GroupContextExtensions gce) {
        extensions = gce.extensions();
      }
    }
    for (ProposalList.Entry s : resolved) {
      if (s.proposal() instanceof Proposal.Update u) {
        ProposalChecks.update(suite, tree, old.groupId(), s.sender(), committer, u);
        TreeOperations.update(tree, s.sender().index(), u.leafNode());
      }
    }
    for (ProposalList.Entry s : resolved) {
      if (s.proposal() instanceof Proposal.Remove r) {
        if (r.removed() == group.ownLeaf()) {
          throw new MlsException("this member was removed");
        }
        TreeOperations.remove(tree, r.removed());
      }
    }
    for (ProposalList.Entry s : resolved) {
      if (s.proposal() instanceof Proposal.Add a) {
        ProposalChecks.add(suite, a);
        added.add(TreeOperations.add(tree, a.keyPackage().leafNode()));
      }
    }
    for (ProposalList.Entry s : resolved) {
      switch (s.proposal()) {
        case Proposal.PreSharedKey p -> pskIds.add(p.psk());
        case Proposal.ReInit r -> throw new MlsException("ReInit is not supported");
        case Proposal.ExternalInit e -> throw new MlsException("ExternalInit is only valid in external commits");
        default -> { }
      }
    }

    return new Applied(tree, extensions, added, pskIds);
  }

  private static AuthenticatedContent unprotect(Group group, MlsMessage message) {
    if (message.wireFormat() != WireFormat.PUBLIC_MESSAGE) {
      throw new MlsException("only PublicMessage handshakes are supported");
    }
    SignatureKeys keys = s -> s.type() == Sender.MEMBER
        ? group.tree().leaf(s.index()).map(LeafNode::signatureKey) : Optional.empty();
    return PublicMessageProtection.unprotect(group.suite(), message.publicMessage(), group.context(), keys,
        group.secrets().membershipKey());
  }

  private static List<ProposalList.Entry> resolve(Group group, Commit commit, Sender committer,
      List<MlsMessage> proposals) {
    List<byte[]> refs = new ArrayList<>();
    List<ProposalList.Entry> cached = new ArrayList<>();
    for (MlsMessage m : proposals) {
      AuthenticatedContent ac = unprotect(group, m);
      if (!(ac.content().content() instanceof Proposal p)) {
        throw new MlsException("proposal message without a proposal");
      }
      refs.add(group.suite().refHash("MLS 1.0 Proposal Reference", ac.encode()));
      cached.add(new ProposalList.Entry(p, ac.content().sender()));
    }
    List<ProposalList.Entry> out = new ArrayList<>();
    for (Commit.ProposalOrRef por : commit.proposals()) {
      if (por.proposal() != null) {
        out.add(new ProposalList.Entry(por.proposal(), committer));
        continue;
      }
      int found = -1;
      for (int i = 0; i < refs.size(); i++) {
        if (java.security.MessageDigest.isEqual(refs.get(i), por.reference())) {
          found = i;
        }
      }
      if (found < 0) {
        throw new MlsException("Commit references an unknown proposal");
      }
      out.add(cached.get(found));
    }
    return out;
  }
}
