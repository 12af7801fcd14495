package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.bench.load.Body;
import org.junit.jupiter.api.Test;

class BodyTest {
    @Test
    void bodyCarriesSenderCounterAndIntendedTimeAndHasThePayloadSize() {
        String body = Body.encode(17, 123_456, 9_876_543_210L, 200);
        assertThat(body).hasSize(200);
        Body.Parsed p = Body.decode(body);
        assertThat(p.valid()).isTrue();
        assertThat(p.sender()).isEqualTo(17);
        assertThat(p.counter()).isEqualTo(123_456);
        assertThat(p.intendedNanos()).isEqualTo(9_876_543_210L);
    }

    @Test
    void aBodyLongerThanThePayloadIsNotTruncated() {
        assertThat(Body.decode(Body.encode(1, 2, 3, 1)).counter()).isEqualTo(2);
    }

    @Test
    void foreignBodiesAreRecognised() {
        assertThat(Body.decode("hello world").valid()).isFalse();
        assertThat(Body.decode("1.2").valid()).isFalse();
        assertThat(Body.decode("").valid()).isFalse();
    }
}
