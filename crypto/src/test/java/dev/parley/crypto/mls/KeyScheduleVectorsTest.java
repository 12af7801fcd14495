package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.schedule.EpochSecrets;
import dev.parley.crypto.mls.schedule.KeySchedule;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** key-schedule.json: GroupContext encoding and every epoch secret over a chain of epochs (RFC 9420 §8). */
class KeyScheduleVectorsTest {
  private static final String FILE = "key-schedule.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> epochChainMatchesTheVectors() {
    return TestVectors.each(FILE, KeyScheduleVectorsTest::check);
  }

  private static void check(JsonNode v) {
    byte[] groupId = hex(v.get("group_id"));
    byte[] init = hex(v.get("initial_init_secret"));
    JsonNode epochs = v.get("epochs");
    for (int i = 0; i < epochs.size(); i++) {
      JsonNode e = epochs.get(i);
      GroupContext ctx = new GroupContext(1, groupId, i, hex(e.get("tree_hash")),
          hex(e.get("confirmed_transcript_hash")), List.of());
      byte[] ctxBytes = ctx.encode();
      assertThat(ctxBytes).as("epoch %d group_context", i).isEqualTo(hex(e.get("group_context")));
      TlsReader r = TlsReader.of(ctxBytes);
      assertThat(GroupContext.read(r).encode()).isEqualTo(ctxBytes);
      r.finish();

      EpochSecrets s = KeySchedule.advance(CS, init, hex(e.get("commit_secret")), hex(e.get("psk_secret")), ctxBytes);
      String at = "epoch " + i + " ";
      assertThat(s.joinerSecret()).as(at + "joiner_secret").isEqualTo(hex(e.get("joiner_secret")));
      assertThat(s.welcomeSecret()).as(at + "welcome_secret").isEqualTo(hex(e.get("welcome_secret")));
      assertThat(s.initSecret()).as(at + "init_secret").isEqualTo(hex(e.get("init_secret")));
      assertThat(s.senderDataSecret()).as(at + "sender_data_secret").isEqualTo(hex(e.get("sender_data_secret")));
      assertThat(s.encryptionSecret()).as(at + "encryption_secret").isEqualTo(hex(e.get("encryption_secret")));
      assertThat(s.exporterSecret()).as(at + "exporter_secret").isEqualTo(hex(e.get("exporter_secret")));
      assertThat(s.epochAuthenticator()).as(at + "epoch_authenticator").isEqualTo(hex(e.get("epoch_authenticator")));
      assertThat(s.externalSecret()).as(at + "external_secret").isEqualTo(hex(e.get("external_secret")));
      assertThat(s.confirmationKey()).as(at + "confirmation_key").isEqualTo(hex(e.get("confirmation_key")));
      assertThat(s.membershipKey()).as(at + "membership_key").isEqualTo(hex(e.get("membership_key")));
      assertThat(s.resumptionPsk()).as(at + "resumption_psk").isEqualTo(hex(e.get("resumption_psk")));
      assertThat(s.externalPublicKey()).as(at + "external_pub").isEqualTo(hex(e.get("external_pub")));

      JsonNode exp = e.get("exporter");
      // The vector's label is a text string (which happens to look like hex); it is used as its bytes.
      byte[] exported = s.export(exp.get("label").asText(), hex(exp.get("context")), exp.get("length").asInt());
      assertThat(exported).as(at + "exporter.secret").isEqualTo(hex(exp.get("secret")));

      // The joiner's path (Welcome) reaches the same epoch.
      EpochSecrets joined = KeySchedule.fromJoiner(CS, s.joinerSecret(), hex(e.get("psk_secret")), ctxBytes);
      assertThat(joined.epochAuthenticator()).isEqualTo(s.epochAuthenticator());
      assertThat(s.toString()).doesNotContain(TestVectors.hex(s.encryptionSecret()));
      init = s.initSecret();
    }
  }

}
