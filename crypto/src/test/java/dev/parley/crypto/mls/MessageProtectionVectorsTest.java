package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.framing.PrivateMessageProtection;
import dev.parley.crypto.mls.framing.PublicMessageProtection;
import dev.parley.crypto.mls.framing.SignatureKeys;
import dev.parley.crypto.mls.message.ApplicationData;
import dev.parley.crypto.mls.message.AuthenticatedContent;
import dev.parley.crypto.mls.message.Commit;
import dev.parley.crypto.mls.message.Content;
import dev.parley.crypto.mls.message.FramedContent;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.PrivateMessage;
import dev.parley.crypto.mls.message.Proposal;
import dev.parley.crypto.mls.message.PublicMessage;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.schedule.SecretTree;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * message-protection.json: a proposal, a commit and application data, each unprotected from the given
 * PublicMessage/PrivateMessage and protected again by us, from leaf 1 of a two-leaf group (RFC 9420 §6).
 */
class MessageProtectionVectorsTest {
  private static final String FILE = "message-protection.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> protectionMatchesTheVectors() {
    return TestVectors.cases(FILE, c -> Stream.of(
        DynamicTest.dynamicTest(c.name(FILE) + " proposal", () -> check(c.node(), "proposal", Proposal::read)),
        DynamicTest.dynamicTest(c.name(FILE) + " commit", () -> check(c.node(), "commit", Commit::read)),
        DynamicTest.dynamicTest(c.name(FILE) + " application",
            () -> check(c.node(), "application", r -> new ApplicationData(r.fixed(r.remaining()))))));
  }

  private static void check(JsonNode v, String kind, Function<TlsReader, Content> parseRaw) {
    GroupContext ctx = new GroupContext(1, hex(v.get("group_id")), v.get("epoch").asLong(),
        hex(v.get("tree_hash")), hex(v.get("confirmed_transcript_hash")), List.of());
    byte[] sigPriv = hex(v.get("signature_priv"));
    byte[] sigPub = hex(v.get("signature_pub"));
    byte[] encryptionSecret = hex(v.get("encryption_secret"));
    byte[] senderDataSecret = hex(v.get("sender_data_secret"));
    byte[] membershipKey = hex(v.get("membership_key"));
    SignatureKeys keys = s -> s.type() == Sender.MEMBER && s.index() == 1 ? Optional.of(sigPub) : Optional.empty();

    byte[] raw = hex(v.get(kind));
    TlsReader rawReader = TlsReader.of(raw);
    Content content = parseRaw.apply(rawReader);
    rawReader.finish();
    FramedContent framed = new FramedContent(ctx.groupId(), ctx.epoch(), Sender.member(1), new byte[0], content);
    byte[] confirmationTag = CS.random(CipherSuite.NH);

    if (content.contentType() == Content.APPLICATION) {
      assertThatThrownBy(() -> PublicMessageProtection.protect(CS, framed, ctx, sigPriv, confirmationTag,
          membershipKey)).isInstanceOf(MlsException.class);
    } else {
      PublicMessage given = MlsMessage.decode(hex(v.get(kind + "_pub"))).publicMessage();
      AuthenticatedContent opened = PublicMessageProtection.unprotect(CS, given, ctx, keys, membershipKey);
      assertThat(encodedBody(opened)).isEqualTo(raw);
      assertThat(opened.content().sender()).isEqualTo(Sender.member(1));

      PublicMessage ours = PublicMessageProtection.protect(CS, framed, ctx, sigPriv, confirmationTag, membershipKey);
      PublicMessage sent = MlsMessage.decode(MlsMessage.of(ours).encode()).publicMessage();
      assertThat(encodedBody(PublicMessageProtection.unprotect(CS, sent, ctx, keys, membershipKey))).isEqualTo(raw);
      PublicMessage badTag = new PublicMessage(sent.content(), sent.auth(), flip(sent.membershipTag()));
      assertThatThrownBy(() -> PublicMessageProtection.unprotect(CS, badTag, ctx, keys, membershipKey))
          .isInstanceOf(MlsAuthenticationException.class);
    }

    MlsMessage givenPriv = MlsMessage.decode(hex(v.get(kind + "_priv")));
    assertThat(givenPriv.wireFormat()).isEqualTo(WireFormat.PRIVATE_MESSAGE);
    SecretTree receiver = new SecretTree(CS, encryptionSecret, 2);
    AuthenticatedContent opened = PrivateMessageProtection.unprotect(CS, givenPriv.privateMessage(), ctx, receiver,
        senderDataSecret, keys);
    assertThat(encodedBody(opened)).isEqualTo(raw);
    assertThat(opened.content().sender()).isEqualTo(Sender.member(1));

    SecretTree senderTree = new SecretTree(CS, encryptionSecret, 2);
    SecretTree receiverTree = new SecretTree(CS, encryptionSecret, 2);
    PrivateMessage ours = PrivateMessageProtection.protect(CS, framed, ctx, sigPriv, confirmationTag, senderTree,
        senderDataSecret, 17);
    PrivateMessage sent = MlsMessage.decode(MlsMessage.of(ours).encode()).privateMessage();
    AuthenticatedContent back = PrivateMessageProtection.unprotect(CS, sent, ctx, receiverTree, senderDataSecret, keys);
    assertThat(encodedBody(back)).isEqualTo(raw);
    if (content.contentType() == Content.COMMIT) {
      assertThat(back.auth().confirmationTag()).isEqualTo(confirmationTag);
    }
  }

  private static byte[] encodedBody(AuthenticatedContent c) {
    Content body = c.content().content();
    if (body instanceof ApplicationData app) {
      return app.data();
    }
    return TlsWriter.encode(body::write);
  }

  private static byte[] flip(byte[] b) {
    byte[] out = b.clone();
    out[0] ^= 1;
    return out;
  }
}
