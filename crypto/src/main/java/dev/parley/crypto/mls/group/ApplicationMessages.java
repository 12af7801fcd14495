package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.framing.PrivateMessageProtection;
import dev.parley.crypto.mls.framing.SignatureKeys;
import dev.parley.crypto.mls.message.ApplicationData;
import dev.parley.crypto.mls.message.AuthenticatedContent;
import dev.parley.crypto.mls.message.FramedContent;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.message.WireFormat;
import java.util.Optional;

/** Encrypting and decrypting application data in a group's current epoch, as PrivateMessages (§6.3). */
public final class ApplicationMessages {
  /** Pads every plaintext to a multiple of this many bytes, so lengths leak less. */
  public static final int PADDING_BLOCK = 32;

  private ApplicationMessages() {}

  /**
   * Decrypted application data, its sender's leaf and the epoch it was sent in (the previous one for a
   * late message), and the credential of that leaf in that epoch's tree (who sent it, as the group knows
   * it). {@link #toString()} never shows the data.
   */
  public record Received(long senderLeaf, long epoch, byte[] data, byte[] authenticatedData,
      dev.parley.crypto.mls.message.Credential senderCredential) {
    @Override
    public String toString() {
      return "Received[leaf=" + senderLeaf + ", epoch=" + epoch + ", " + data.length + " bytes]";
    }
  }

  public static MlsMessage encrypt(Group group, byte[] data, byte[] authenticatedData) {
    FramedContent content = new FramedContent(group.context().groupId(), group.epoch(),
        Sender.member(group.ownLeaf()), authenticatedData, new ApplicationData(data));
    int padding = (PADDING_BLOCK - data.length % PADDING_BLOCK) % PADDING_BLOCK;
    return MlsMessage.of(PrivateMessageProtection.protect(group.suite(), content, group.context(),
        group.signaturePrivateKey(), new byte[0], group.secretTree(), group.secrets().senderDataSecret(), padding));
  }

  /**
   * Decrypts application data of the current epoch, or of the previous one while its keys are kept
   * (a member may send before it has seen the latest Commit).
   */
  public static Received decrypt(Group group, MlsMessage message) {
    if (message.wireFormat() != WireFormat.PRIVATE_MESSAGE) {
      throw new MlsException("application data must arrive as a PrivateMessage");
    }
    if (message.privateMessage().contentType() != dev.parley.crypto.mls.message.Content.APPLICATION) {
      throw new MlsException("not application data");
    }
    AuthenticatedContent ac;
    dev.parley.crypto.mls.tree.RatchetTree tree;
    Optional<Group.PreviousEpoch> previous = group.previousEpoch();
    if (previous.isPresent() && message.privateMessage().epoch() == previous.get().context().epoch()) {
      Group.PreviousEpoch p = previous.get();
      tree = p.tree();
      ac = PrivateMessageProtection.unprotect(group.suite(), message.privateMessage(), p.context(), p.secretTree(),
          p.senderDataSecret(), keysOf(p.tree()));
    } else {
      tree = group.tree();
      ac = PrivateMessageProtection.unprotect(group.suite(), message.privateMessage(), group.context(),
          group.secretTree(), group.secrets().senderDataSecret(), keysOf(group.tree()));
    }
    if (!(ac.content().content() instanceof ApplicationData app)) {
      throw new MlsException("not application data");
    }
    long sender = ac.content().sender().index();
    return new Received(sender, ac.content().epoch(), app.data(), ac.content().authenticatedData(),
        tree.leaf(sender).map(LeafNode::credential).orElseThrow(() -> new MlsException("sender leaf is blank")));
  }

  private static SignatureKeys keysOf(dev.parley.crypto.mls.tree.RatchetTree tree) {
    return s -> s.type() == Sender.MEMBER ? tree.leaf(s.index()).map(LeafNode::signatureKey) : Optional.empty();
  }
}
