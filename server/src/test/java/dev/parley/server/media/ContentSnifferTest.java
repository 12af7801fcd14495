package dev.parley.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.ChatException;
import dev.parley.core.media.MediaKind;
import dev.parley.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentSnifferTest {
    @TempDir
    Path dir;

    private final ContentSniffer sniffer = new ContentSniffer();

    private ContentSniffer.Sniffed sniff(byte[] bytes, String declared) throws Exception {
        return sniffer.sniff(Files.write(Files.createTempFile(dir, "f", ".bin"), bytes), declared);
    }

    @Test
    void typesComeFromTheBytesNotTheClaim() throws Exception {
        assertThat(sniff(TestMedia.jpegWithGps(20, 20, 1), null)).isEqualTo(
                new ContentSniffer.Sniffed("image/jpeg", MediaKind.IMAGE));
        assertThat(sniff(TestMedia.pngWithText(20, 20), "application/octet-stream").mime()).isEqualTo("image/png");
        assertThat(sniff(TestMedia.pdf(), null)).isEqualTo(
                new ContentSniffer.Sniffed("application/pdf", MediaKind.DOCUMENT));
        assertThat(sniff(TestMedia.wav(0.2), "audio/x-wav")).isEqualTo(
                new ContentSniffer.Sniffed("audio/wav", MediaKind.AUDIO));
        assertThat(sniff("just some words\n".getBytes(StandardCharsets.UTF_8), "text/markdown").mime())
                .isEqualTo("text/plain");
    }

    @Test
    void isoMediaIsToldApartByItsBrand() throws Exception {
        byte[] mp4 = box("isom");
        byte[] m4a = box("M4A ");
        byte[] mov = box("qt  ");

        assertThat(sniff(mp4, null).mime()).isEqualTo("video/mp4");
        assertThat(sniff(mp4, "audio/mp4")).isEqualTo(new ContentSniffer.Sniffed("audio/mp4", MediaKind.AUDIO));
        assertThat(sniff(m4a, null).mime()).isEqualTo("audio/mp4");
        assertThat(sniff(mov, null).mime()).isEqualTo("video/quicktime");
    }

    @Test
    void disallowedTypesAreRefused() {
        assertThatThrownBy(() -> sniff("<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8),
                "image/png")).isInstanceOfSatisfying(ChatException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_MEDIA));
        assertThatThrownBy(() -> sniff(new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0}, null))
                .isInstanceOf(ChatException.class);
    }

    @Test
    void aClaimTheContentContradictsIsRefused() {
        assertThatThrownBy(() -> sniff(TestMedia.pdf(), "image/png"))
                .isInstanceOfSatisfying(ChatException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_MEDIA))
                .hasMessageContaining("declared image/png").hasMessageContaining("application/pdf");
        assertThatThrownBy(() -> sniff("text".getBytes(StandardCharsets.UTF_8), "text/html"))
                .isInstanceOf(ChatException.class);
    }

    private static byte[] box(String brand) {
        byte[] b = new byte[32];
        b[3] = 24;
        System.arraycopy("ftyp".getBytes(StandardCharsets.ISO_8859_1), 0, b, 4, 4);
        System.arraycopy(brand.getBytes(StandardCharsets.ISO_8859_1), 0, b, 8, 4);
        return b;
    }
}
