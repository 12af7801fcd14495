package dev.parley.crypto.mls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** deserialization.json: MLS varint vector-length headers decode to the given length and re-encode. */
class DeserializationVectorsTest {
  private static final String FILE = "deserialization.json";

  @TestFactory
  Stream<DynamicTest> vectorLengthHeaders() {
    return TestVectors.each(FILE, c -> {
      byte[] header = TestVectors.hex(c.get("vlbytes_header"));
      long length = c.get("length").asLong();
      TlsReader r = TlsReader.of(header);
      assertThat((long) r.varint()).isEqualTo(length);
      r.finish();
      assertThat(new TlsWriter().varint((int) length).toByteArray()).isEqualTo(header);
    });
  }
}
