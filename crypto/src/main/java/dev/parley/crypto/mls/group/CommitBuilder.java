package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.framing.PublicMessageProtection;
import dev.parley.crypto.mls.message.AuthenticatedContent;
import dev.parley.crypto.mls.message.Commit;
import dev.parley.crypto.mls.message.Extension;
import dev.parley.crypto.mls.message.FramedContent;
import dev.parley.crypto.mls.message.FramedContentAuthData;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.GroupInfo;
import dev.parley.crypto.mls.message.GroupSecrets;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.KeyPackageRef;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.Proposal;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.message.Welcome;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.schedule.EpochSecrets;
import dev.parley.crypto.mls.schedule.KeySchedule;
import dev.parley.crypto.mls.schedule.TranscriptHashes;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.HpkeCiphertext;
import dev.parley.crypto.mls.suite.Zeroize;
import dev.parley.crypto.mls.tree.PathKeys;
import dev.parley.crypto.mls.tree.RatchetTree;
import dev.parley.crypto.mls.tree.TreeHashes;
import dev.parley.crypto.mls.tree.TreeKem;
import dev.parley.crypto.mls.tree.TreeMath;
import dev.parley.crypto.mls.tree.TreeOperations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Building our own Commit (RFC 9420 §12.4.1) with inline Remove and Add proposals and always a fresh
 * UpdatePath (so every commit also heals our own leaf), sent as a PublicMessage as Parley's protocol
 * requires; plus the Welcome for any added members (§12.4.3), carrying the ratchet tree in the
 * GroupInfo. Our group stays in its epoch until the caller merges the {@link PendingCommit}, once the
 * Delivery Service has accepted the Commit.
 */
public final class CommitBuilder {
  private CommitBuilder() {}

  /**
   * The Commit to send, the Welcome for the added members if there are any (to send only once the
   * Commit is accepted), and the new epoch waiting to be merged.
   */
  public record Result(MlsMessage commit, Optional<MlsMessage> welcome, PendingCommit pending) {}

  public static Result commit(Group group, List<KeyPackage> adds, List<Long> removes) {
    CipherSuite suite = group.suite();
    GroupContext old = group.context();
    long own = group.ownLeaf();
    List<Commit.ProposalOrRef> proposals = new ArrayList<>();
    List<ProposalList.Entry> entries = new ArrayList<>();
    for (long r : removes) {
      add(proposals, entries, new Proposal.Remove(r), own);
    }
    for (KeyPackage kp : adds) {
      Proposal.Add a = new Proposal.Add(kp);
      ProposalChecks.add(suite, a);
      add(proposals, entries, a, own);
    }
    ProposalList.check(group.tree(), Sender.member(own), entries, true);

    RatchetTree tree = group.tree().copy();
    removes.forEach(r -> TreeOperations.remove(tree, r));
    List<Long> added = new ArrayList<>();
    adds.forEach(kp -> added.add(TreeOperations.add(tree, kp.leafNode())));
    List<Integer> filtered = tree.filteredDirectPath(own);
    PathKeys keys = group.pathKeys().copy();
    TreeKem.Created path = TreeKem.create(suite, tree, own, group.signaturePrivateKey(), old.groupId(), keys,
        java.util.Set.copyOf(added), th -> new GroupContext(old.cipherSuite(), old.groupId(), old.epoch() + 1, th,
            old.confirmedTranscriptHash(), old.extensions()));
    keys.retainMatching(suite, tree);

    FramedContent content = new FramedContent(old.groupId(), old.epoch(), Sender.member(own), new byte[0],
        new Commit(List.copyOf(proposals), Optional.of(path.path())));
    byte[] signature = PublicMessageProtection.sign(suite, content, old, group.signaturePrivateKey());
    // The confirmed transcript hash covers the signature but not the tag, which is derived from it.
    AuthenticatedContent signed = new AuthenticatedContent(WireFormat.PUBLIC_MESSAGE, content,
        new FramedContentAuthData(signature, new byte[0]));
    byte[] confirmed = TranscriptHashes.confirmed(suite, group.interimTranscriptHash(), signed);
    GroupContext next = new GroupContext(old.cipherSuite(), old.groupId(), old.epoch() + 1,
        TreeHashes.root(suite, tree), confirmed, old.extensions());
    EpochSecrets secrets = KeySchedule.advance(suite, group.secrets().initSecret(), path.commitSecret(),
        KeySchedule.zero(), next.encode());
    byte[] tag = TranscriptHashes.confirmationTag(suite, secrets.confirmationKey(), confirmed);
    MlsMessage commit = MlsMessage.of(PublicMessageProtection.seal(suite, content, old, signature, tag,
        group.secrets().membershipKey()));

    Optional<MlsMessage> welcome = adds.isEmpty() ? Optional.empty()
        : Optional.of(welcome(group, tree, next, secrets, tag, adds, added, filtered, path));
    PendingCommit pending = new PendingCommit(group, next, tree, keys, secrets,
        TranscriptHashes.interim(suite, confirmed, tag));
    Zeroize.wipe(path.commitSecret());
    path.pathSecrets().forEach(Zeroize::wipe);
    return new Result(commit, welcome, pending);
  }

  private static void add(List<Commit.ProposalOrRef> proposals, List<ProposalList.Entry> entries, Proposal p,
      long own) {
    proposals.add(Commit.ProposalOrRef.inline(p));
    entries.add(new ProposalList.Entry(p, Sender.member(own)));
  }

  private static MlsMessage welcome(Group group, RatchetTree tree, GroupContext next, EpochSecrets secrets,
      byte[] tag, List<KeyPackage> adds, List<Long> added, List<Integer> filtered, TreeKem.Created path) {
    CipherSuite suite = group.suite();
    List<Extension> extensions = List.of(new Extension(WelcomeJoin.RATCHET_TREE_EXTENSION, tree.encode()));
    GroupInfo unsigned = new GroupInfo(next, extensions, tag, group.ownLeaf(), new byte[0]);
    byte[] signature = suite.signWithLabel(group.signaturePrivateKey(), "GroupInfoTBS", unsigned.toBeSigned());
    GroupInfo info = new GroupInfo(next, extensions, tag, group.ownLeaf(), signature);
    byte[] key = suite.expandWithLabel(secrets.welcomeSecret(), "key", new byte[0], CipherSuite.NK);
    byte[] nonce = suite.expandWithLabel(secrets.welcomeSecret(), "nonce", new byte[0], CipherSuite.NN);
    byte[] encryptedInfo = suite.aeadSeal(key, nonce, new byte[0], TlsWriter.encode(info::write));
    Zeroize.wipe(key, nonce);

    List<Welcome.EncryptedGroupSecrets> entries = new ArrayList<>();
    for (int i = 0; i < adds.size(); i++) {
      byte[] pathSecret = pathSecretFor(tree, group.ownLeaf(), added.get(i), filtered, path);
      GroupSecrets gs = new GroupSecrets(secrets.joinerSecret(), Optional.of(pathSecret), List.of());
      byte[] plain = TlsWriter.encode(gs::write);
      HpkeCiphertext ct = suite.encryptWithLabel(adds.get(i).initKey(), "Welcome", encryptedInfo, plain);
      Zeroize.wipe(plain);
      entries.add(new Welcome.EncryptedGroupSecrets(KeyPackageRef.of(suite, adds.get(i)), ct));
    }
    Welcome welcome = new Welcome(suite.id(), List.copyOf(entries), encryptedInfo);
    return new MlsMessage(WireFormat.WELCOME, null, null, welcome, null, null);
  }

  /** The path secret of the lowest node of our filtered direct path above the new member's leaf. */
  private static byte[] pathSecretFor(RatchetTree tree, long own, long newMember, List<Integer> filtered,
      TreeKem.Created path) {
    int member = TreeMath.leafToNode(newMember);
    for (int i = 0; i < filtered.size(); i++) {
      if (TreeMath.inSubtree(member, filtered.get(i))) {
        return path.pathSecrets().get(i);
      }
    }
    throw new MlsException("new member is not below our path");
  }
}
