package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inside of an e2ee application message, and sealing and opening files. */
class E2eeContentTest {
    @TempDir
    Path dir;

    private static final E2eeContent.SealedFile FILE = new E2eeContent.SealedFile("med_1",
            E2eeFiles.b64(new byte[32]), E2eeFiles.b64(new byte[12]), "ab".repeat(32), 5, "image/png", "a.png", 4, 3,
            new E2eeContent.SealedFile("med_2", E2eeFiles.b64(new byte[32]), E2eeFiles.b64(new byte[12]),
                    "cd".repeat(32), 2, "image/jpeg", null, 2, 1, null));

    @Test
    void plainTextStaysPlainUtf8AndTheJsonFormStartsWithAByteUtf8NeverHas() {
        assertThat(E2eeContent.toBytes("héllo")).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
        assertThat(E2eeContent.fromBytes("héllo".getBytes(StandardCharsets.UTF_8))).isEqualTo("héllo");
        assertThat(E2eeContent.decode("héllo").files()).isEmpty();

        String content = E2eeContent.encode("caption", List.of(FILE));
        byte[] data = E2eeContent.toBytes(content);
        assertThat(data[0]).isEqualTo((byte) 0xFF);
        String json = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"v\":1,\"text\":\"caption\",\"attachments\":[{\"mediaId\":\"med_1\"");
        E2eeContent.Content back = E2eeContent.decode(E2eeContent.fromBytes(data));
        assertThat(back.text()).isEqualTo("caption");
        assertThat(back.files()).containsExactly(FILE);
        assertThat(E2eeContent.shown(content)).isEqualTo("caption");
        assertThat(E2eeContent.decode(E2eeContent.encode(null, List.of(FILE))).text()).isNull();
    }

    @Test
    void aTextThatBeginsWithTheMarkCannotPoseAsTheJsonForm() {
        String sneaky = "\uFFFF{\"v\":1,\"attachments\":[]}";
        assertThat(E2eeContent.plain(sneaky)).startsWith("\uFFFD");
        // Received as UTF-8 text (EF BF BF ...), it stays text.
        String received = E2eeContent.fromBytes(sneaky.getBytes(StandardCharsets.UTF_8));
        assertThat(received.charAt(0)).isEqualTo('\uFFFD');
        assertThat(E2eeContent.decode(received).files()).isEmpty();
    }

    @Test
    void malformedOrUnknownJsonFormsAreRefused() {
        for (String bad : List.of("{", "[]", "{\"v\":2,\"attachments\":[]}", "{\"v\":1}",
                "{\"v\":1,\"attachments\":[{\"mediaId\":\"m\",\"sha256\":\"00\",\"key\":\"\",\"nonce\":\"\"}]}",
                "{\"v\":1,\"attachments\":[{\"mediaId\":\"m\",\"sha256\":\"" + "ab".repeat(32)
                        + "\",\"key\":\"AAAA\",\"nonce\":\"AAAAAAAAAAAAAAAA\"}]}")) {
            assertThatThrownBy(() -> E2eeContent.decode(E2eeContent.MARK + bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aSealedFileOpensOnlyUnchangedWithItsKeyAndDigest() throws Exception {
        Path plain = dir.resolve("plain.bin");
        byte[] bytes = "some file content that is secret".repeat(1000).getBytes(StandardCharsets.UTF_8);
        Files.write(plain, bytes);
        E2eeFiles.Sealed s = E2eeFiles.seal(plain);
        byte[] cipher = Files.readAllBytes(s.ciphertext());
        assertThat(cipher).hasSize(bytes.length + 16);
        assertThat(E2eeMediaIT.indexOf(cipher, "some file content".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(s.sha256()).isEqualTo(E2eeFiles.sha256Hex(bytes));
        E2eeContent.SealedFile f = s.describe("med_x", "text/plain", null, null, null, null);

        Path out = dir.resolve("out.bin");
        E2eeFiles.open(s.ciphertext(), f, out);
        assertThat(Files.readAllBytes(out)).isEqualTo(bytes);

        // Two seals of one file never share key or nonce.
        E2eeFiles.Sealed again = E2eeFiles.seal(plain);
        assertThat(again.key()).isNotEqualTo(s.key());
        assertThat(again.nonce()).isNotEqualTo(s.nonce());

        Path changed = dir.resolve("changed.bin");
        cipher[10] ^= 1;
        Files.write(changed, cipher);
        refused(changed, f, "altered");
        E2eeContent.SealedFile otherDigest = new E2eeContent.SealedFile(f.mediaId(), f.key(), f.nonce(),
                "00".repeat(32), f.size(), f.mime(), null, null, null, null);
        refused(s.ciphertext(), otherDigest, "SHA-256");
        E2eeContent.SealedFile otherKey = new E2eeContent.SealedFile(f.mediaId(), E2eeFiles.b64(new byte[32]),
                f.nonce(), f.sha256(), f.size(), f.mime(), null, null, null, null);
        refused(s.ciphertext(), otherKey, "altered");
        Files.delete(s.ciphertext());
        Files.delete(again.ciphertext());
    }

    private void refused(Path cipher, E2eeContent.SealedFile f, String why) {
        Path out = dir.resolve("refused.bin");
        assertThatThrownBy(() -> E2eeFiles.open(cipher, f, out)).isInstanceOf(ParleyException.class)
                .hasMessageContaining(why)
                .satisfies(e -> assertThat(((ParleyException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThat(out).doesNotExist();
        assertThat(dir.resolve("refused.bin.part")).doesNotExist();
    }
}
