package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.message.AuthenticatedContent;
import dev.parley.crypto.mls.message.Content;
import dev.parley.crypto.mls.schedule.TranscriptHashes;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** transcript-hashes.json: confirmation tag and both transcript hashes after a Commit (RFC 9420 §8.2). */
class TranscriptHashesVectorsTest {
  private static final String FILE = "transcript-hashes.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> transcriptHashesMatchTheVectors() {
    return TestVectors.each(FILE, v -> {
      byte[] encoded = hex(v.get("authenticated_content"));
      TlsReader r = TlsReader.of(encoded);
      AuthenticatedContent content = AuthenticatedContent.read(r);
      r.finish();
      assertThat(content.encode()).isEqualTo(encoded);
      assertThat(content.content().contentType()).isEqualTo(Content.COMMIT);

      byte[] key = hex(v.get("confirmation_key"));
      byte[] confirmed = TranscriptHashes.confirmed(CS, hex(v.get("interim_transcript_hash_before")), content);
      assertThat(confirmed).isEqualTo(hex(v.get("confirmed_transcript_hash_after")));
      byte[] tag = content.auth().confirmationTag();
      assertThat(TranscriptHashes.verifyConfirmationTag(CS, key, confirmed, tag)).isTrue();
      assertThat(TranscriptHashes.confirmationTag(CS, key, confirmed)).isEqualTo(tag);
      byte[] wrong = tag.clone();
      wrong[0] ^= 1;
      assertThat(TranscriptHashes.verifyConfirmationTag(CS, key, confirmed, wrong)).isFalse();
      assertThat(TranscriptHashes.interim(CS, confirmed, tag)).isEqualTo(hex(v.get("interim_transcript_hash_after")));
    });
  }
}
