package dev.parley.crypto.mls;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.message.MlsMessage;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Crafted input never escapes as anything but {@link MlsDecodeException} (bcmls threw NullPointerException
 * on crafted messages): every truncation of real messages, and random byte flips, are tried.
 */
class MlsMessageDecodeTest {
  private static final List<String> FIELDS = List.of("mls_welcome", "mls_group_info", "mls_key_package",
      "public_message_application", "public_message_proposal", "public_message_commit", "private_message");

  private static JsonNode firstVector() {
    return TestVectors.load("messages.json").get(0);
  }

  @Test
  void everyTruncationIsADecodeError() {
    JsonNode v = firstVector();
    for (String field : FIELDS) {
      byte[] full = HexFormat.of().parseHex(v.get(field).asText());
      for (int n = 0; n < full.length; n++) {
        byte[] cut = Arrays.copyOf(full, n);
        assertThatThrownBy(() -> MlsMessage.decode(cut)).as(field + " cut at " + n)
            .isInstanceOf(MlsDecodeException.class);
      }
    }
  }

  @Test
  void randomCorruptionIsDecodedOrRefusedWithATypedError() {
    JsonNode v = firstVector();
    Random random = new Random(12);
    for (String field : FIELDS) {
      byte[] full = HexFormat.of().parseHex(v.get(field).asText());
      for (int i = 0; i < 300; i++) {
        byte[] bad = full.clone();
        bad[random.nextInt(bad.length)] ^= (byte) (1 + random.nextInt(255));
        try {
          MlsMessage.decode(bad);
        } catch (MlsDecodeException expected) {
          // refused cleanly
        }
      }
    }
  }
}
