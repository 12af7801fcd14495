package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The digit rendering of an epoch authenticator; web/src/test/js/safety-number.test.mjs checks the same vectors. */
class SafetyNumberTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void rendersSixGroupsOfFiveDigitsFromTheFirstThirtyBytes() {
        assertThat(SafetyNumber.of(hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")))
                .isEqualTo("09060 60585 12110 63635 15160 66685");
        assertThat(SafetyNumber.of(hex("d689dfcda24e5991148d167ed34cacf0d83e2c04800668bd7f0f7af5fe58e4b4")))
                .isEqualTo("47106 29293 57452 04196 41439 51224");
    }

    @Test
    void readsEachGroupAsAnUnsignedFortyBitNumber() {
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertThat(SafetyNumber.of(ones)).isEqualTo("27775 27775 27775 27775 27775 27775");
    }

    @Test
    void ignoresBytesAfterTheThirtiethAndNeedsThirty() {
        byte[] a = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] b = a.clone();
        b[31] ^= 1;
        assertThat(SafetyNumber.of(b)).isEqualTo(SafetyNumber.of(a));
        b[29] ^= 1;
        assertThat(SafetyNumber.of(b)).isNotEqualTo(SafetyNumber.of(a));
        assertThatThrownBy(() -> SafetyNumber.of(new byte[29])).isInstanceOf(IllegalArgumentException.class);
    }
}
