package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.message.Commit;
import dev.parley.crypto.mls.message.Content;
import dev.parley.crypto.mls.message.GroupSecrets;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.Proposal;
import dev.parley.crypto.mls.message.TreeNode;
import dev.parley.crypto.mls.message.WireFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** messages.json: every MLS structure decodes (consuming all its bytes) and re-encodes to the same bytes. */
class MessagesVectorsTest {
  private static final String FILE = "messages.json";

  /** A structure's decoder paired with its encoder, as one function from bytes to re-encoded bytes. */
  private static final Map<String, Function<TlsReader, byte[]>> CODECS = new LinkedHashMap<>();

  static {
    CODECS.put("mls_welcome", r -> message(r, WireFormat.WELCOME));
    CODECS.put("mls_group_info", r -> message(r, WireFormat.GROUP_INFO));
    CODECS.put("mls_key_package", r -> message(r, WireFormat.KEY_PACKAGE));
    CODECS.put("ratchet_tree", r -> TlsWriter.encode(w -> TreeNode.writeTree(w, TreeNode.readTree(r))));
    CODECS.put("group_secrets", r -> TlsWriter.encode(GroupSecrets.read(r)::write));
    CODECS.put("add_proposal", r -> TlsWriter.encode(Proposal.Add.read(r)::writeBody));
    CODECS.put("update_proposal", r -> TlsWriter.encode(Proposal.Update.read(r)::writeBody));
    CODECS.put("remove_proposal", r -> TlsWriter.encode(Proposal.Remove.read(r)::writeBody));
    CODECS.put("pre_shared_key_proposal", r -> TlsWriter.encode(Proposal.PreSharedKey.read(r)::writeBody));
    CODECS.put("re_init_proposal", r -> TlsWriter.encode(Proposal.ReInit.read(r)::writeBody));
    CODECS.put("external_init_proposal", r -> TlsWriter.encode(Proposal.ExternalInit.read(r)::writeBody));
    CODECS.put("group_context_extensions_proposal",
        r -> TlsWriter.encode(Proposal.GroupContextExtensions.read(r)::writeBody));
    CODECS.put("commit", r -> TlsWriter.encode(Commit.read(r)::write));
    CODECS.put("public_message_application", r -> publicMessage(r, Content.APPLICATION));
    CODECS.put("public_message_proposal", r -> publicMessage(r, Content.PROPOSAL));
    CODECS.put("public_message_commit", r -> publicMessage(r, Content.COMMIT));
    CODECS.put("private_message", r -> message(r, WireFormat.PRIVATE_MESSAGE));
  }

  private static byte[] message(TlsReader r, int wireFormat) {
    MlsMessage m = MlsMessage.read(r);
    assertThat(m.wireFormat()).isEqualTo(wireFormat);
    return m.encode();
  }

  private static byte[] publicMessage(TlsReader r, int contentType) {
    MlsMessage m = MlsMessage.read(r);
    assertThat(m.wireFormat()).isEqualTo(WireFormat.PUBLIC_MESSAGE);
    assertThat(m.publicMessage().content().contentType()).isEqualTo(contentType);
    return m.encode();
  }

  @TestFactory
  Stream<DynamicTest> everyStructureRoundTrips() {
    return TestVectors.each(FILE, MessagesVectorsTest::check);
  }

  private static void check(JsonNode v) {
    assertThat(v.size()).as("fields in the vector").isEqualTo(CODECS.size());
    CODECS.forEach((field, codec) -> {
      byte[] bytes = hex(v.get(field));
      TlsReader r = TlsReader.of(bytes);
      byte[] again = codec.apply(r);
      r.finish();
      assertThat(TestVectors.hex(again)).as(field).isEqualTo(TestVectors.hex(bytes));
    });
  }
}
