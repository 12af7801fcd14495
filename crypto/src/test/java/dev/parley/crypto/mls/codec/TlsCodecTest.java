package dev.parley.crypto.mls.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.crypto.mls.MlsDecodeException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TlsCodecTest {
  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  @Test
  void fixedWidthIntegersRoundTripAsUnsigned() {
    byte[] bytes = new TlsWriter().uint8(0xff).uint16(0xffff).uint32(0xffffffffL).uint64(-1L).toByteArray();
    TlsReader r = TlsReader.of(bytes);
    assertThat(r.uint8()).isEqualTo(0xff);
    assertThat(r.uint16()).isEqualTo(0xffff);
    assertThat(r.uint32()).isEqualTo(0xffffffffL);
    assertThat(r.uint64()).isEqualTo(-1L);
    r.finish();
  }

  @Test
  void varintUsesShortestFormAndRoundTrips() {
    for (int v : new int[] {0, 63, 64, 16383, 16384, TlsReader.MAX_VARINT}) {
      byte[] enc = new TlsWriter().varint(v).toByteArray();
      assertThat(enc.length).isEqualTo(v < 64 ? 1 : v < 16384 ? 2 : 4);
      TlsReader r = TlsReader.of(enc);
      assertThat(r.varint()).isEqualTo(v);
      r.finish();
    }
  }

  @Test
  void nonMinimalVarintIsRefused() {
    assertThatThrownBy(() -> TlsReader.of(hex("4001")).varint()).isInstanceOf(MlsDecodeException.class);
    assertThatThrownBy(() -> TlsReader.of(hex("80000001")).varint()).isInstanceOf(MlsDecodeException.class);
    assertThatThrownBy(() -> TlsReader.of(hex("80003fff")).varint()).isInstanceOf(MlsDecodeException.class);
  }

  @Test
  void reservedVarintPrefixIsRefused() {
    assertThatThrownBy(() -> TlsReader.of(hex("c000000000000001")).varint())
        .isInstanceOf(MlsDecodeException.class);
  }

  @Test
  void lengthBeyondInputIsRefusedBeforeAllocating() {
    // Claims a 1 GiB vector in a 4-byte input: must fail on the bounds check, not allocate.
    assertThatThrownBy(() -> TlsReader.of(hex("bfffffff")).opaque())
        .isInstanceOf(MlsDecodeException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> TlsReader.of(hex("05aabb")).vector()).isInstanceOf(MlsDecodeException.class);
  }

  @Test
  void truncatedIntegersAreRefused() {
    assertThatThrownBy(() -> TlsReader.of(hex("01")).uint16()).isInstanceOf(MlsDecodeException.class);
    assertThatThrownBy(() -> TlsReader.of(hex("010203")).uint32()).isInstanceOf(MlsDecodeException.class);
    assertThatThrownBy(() -> TlsReader.of(hex("40")).varint()).isInstanceOf(MlsDecodeException.class);
  }

  @Test
  void trailingBytesAreRefused() {
    TlsReader r = TlsReader.of(hex("0100"));
    r.uint8();
    assertThatThrownBy(r::finish).isInstanceOf(MlsDecodeException.class);
  }

  @Test
  void optionalPresenceByteMustBeZeroOrOne() {
    assertThat(TlsReader.of(hex("00")).present()).isFalse();
    assertThat(TlsReader.of(hex("01")).present()).isTrue();
    assertThatThrownBy(() -> TlsReader.of(hex("02")).present()).isInstanceOf(MlsDecodeException.class);
  }

  @Test
  void vectorReadsOnlyItsOwnBytes() {
    byte[] enc = new TlsWriter().vector(w -> w.uint16(7).uint16(9)).uint8(0x2a).toByteArray();
    TlsReader r = TlsReader.of(enc);
    TlsReader items = r.vector();
    assertThat(items.uint16()).isEqualTo(7);
    assertThat(items.uint16()).isEqualTo(9);
    assertThat(items.hasRemaining()).isFalse();
    assertThatThrownBy(items::uint8).isInstanceOf(MlsDecodeException.class);
    assertThat(r.uint8()).isEqualTo(0x2a);
    r.finish();
  }
}
