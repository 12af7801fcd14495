package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.schedule.EpochSecrets;
import dev.parley.crypto.mls.schedule.KeySchedule;
import dev.parley.crypto.mls.schedule.TranscriptHashes;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;
import dev.parley.crypto.mls.tree.PathKeys;
import dev.parley.crypto.mls.tree.RatchetTree;
import dev.parley.crypto.mls.tree.TreeHashes;
import java.util.List;

/**
 * Creating a one-member group at epoch 0 (RFC 9420 §11): the creator's own leaf as the whole tree, an
 * empty confirmed transcript hash, a random {@code init_secret}, and the key schedule run once with
 * zero commit and PSK secrets.
 */
public final class GroupCreation {
  private GroupCreation() {}

  /** Creates the group with the leaf of the creator's own KeyPackage. */
  public static Group create(CipherSuite suite, byte[] groupId, KeyPackage own, KeyPackageSecrets keys) {
    RatchetTree tree = RatchetTree.withFirstLeaf(own.leafNode());
    GroupContext context = new GroupContext(suite.id(), groupId.clone(), 0, TreeHashes.root(suite, tree),
        new byte[0], List.of());
    byte[] init = suite.random(CipherSuite.NH);
    EpochSecrets secrets = KeySchedule.advance(suite, init, KeySchedule.zero(), KeySchedule.zero(), context.encode());
    Zeroize.wipe(init);
    byte[] tag = TranscriptHashes.confirmationTag(suite, secrets.confirmationKey(), context.confirmedTranscriptHash());
    byte[] interim = TranscriptHashes.interim(suite, context.confirmedTranscriptHash(), tag);
    return new Group(suite, 0, keys.signaturePrivateKey(), context, tree,
        new PathKeys(0, keys.encryptionPrivateKey()), secrets, interim);
  }
}
