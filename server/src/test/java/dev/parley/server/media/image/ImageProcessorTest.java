package dev.parley.server.media.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.media.TestMedia;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageProcessorTest {
    @TempDir
    Path dir;

    private final ImageProcessor images = new ImageProcessor(40_000_000, 1024, 320);

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void jpegLosesExifAndGpsAndStandsUprightAfterReEncoding() throws Exception {
        byte[] original = TestMedia.jpegWithGps(1200, 800, 6);
        assertThat(TestMedia.hasExifOrGps(original)).isTrue();
        assertThat(ExifOrientation.parse(original)).isEqualTo(6);

        ImageProcessor.Result r = images.process(write("in.jpg", original), "image/jpeg", dir);

        byte[] stored = Files.readAllBytes(r.image().file());
        assertThat(TestMedia.hasExifOrGps(stored)).isFalse();
        assertThat(r.image().mime()).isEqualTo("image/jpeg");
        // Orientation 6 = rotate 90° clockwise: 1200x800 stands as 800x1200, downscaled to 1024 on the long edge.
        assertThat(r.image().width()).isEqualTo(683);
        assertThat(r.image().height()).isEqualTo(1024);
        BufferedImage decoded = TestMedia.decode(stored);
        assertThat(decoded.getWidth()).isEqualTo(683);
        // The red block of the top-left corner is now in the top-right corner.
        int topRight = decoded.getRGB(decoded.getWidth() - 5, 5);
        assertThat((topRight >> 16) & 0xff).isGreaterThan(200);
        assertThat(topRight & 0xff).isLessThan(80);
        assertThat(r.thumbnail().width()).isEqualTo(213);
        assertThat(r.thumbnail().height()).isEqualTo(320);
        assertThat(TestMedia.hasExifOrGps(Files.readAllBytes(r.thumbnail().file()))).isFalse();
    }

    @Test
    void pngStaysPngWithTransparencyAndLosesItsTextChunks() throws Exception {
        byte[] original = TestMedia.pngWithText(300, 200);
        assertThat(TestMedia.hasExifOrGps(original)).isTrue();

        ImageProcessor.Result r = images.process(write("in.png", original), "image/png", dir);

        assertThat(r.image().mime()).isEqualTo("image/png");
        assertThat(r.image().width()).isEqualTo(300);
        assertThat(TestMedia.hasExifOrGps(Files.readAllBytes(r.image().file()))).isFalse();
        assertThat(TestMedia.decode(Files.readAllBytes(r.image().file())).getColorModel().hasAlpha()).isTrue();
        assertThat(r.thumbnail().mime()).isEqualTo("image/png");
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() throws Exception {
        Path bomb = write("bomb.png", TestMedia.pngBomb(100_000, 100_000));

        assertThatThrownBy(() -> images.process(bomb, "image/png", dir))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE))
                .hasMessageContaining("100000x100000");
    }

    @Test
    void garbageWithAnImageHeaderIsUnsupported() throws Exception {
        byte[] jpeg = TestMedia.encode(TestMedia.picture(200, 200), "jpeg");
        byte[] broken = java.util.Arrays.copyOf(jpeg, 40);

        assertThatThrownBy(() -> images.process(write("broken.jpg", broken), "image/jpeg", dir))
                .isInstanceOf(ChatException.class);
    }

    @Test
    void gifIsKeptAsUploadedWithAThumbnailOfItsFirstFrame() throws Exception {
        byte[] gif = TestMedia.encode(TestMedia.picture(500, 400), "gif");
        Path in = write("in.gif", gif);

        ImageProcessor.Result r = images.process(in, "image/gif", dir);

        assertThat(r.image().mime()).isEqualTo("image/gif");
        assertThat(Files.readAllBytes(r.image().file())).isEqualTo(gif);
        assertThat(r.thumbnail().width()).isEqualTo(320);
        assertThat(r.thumbnail().height()).isEqualTo(256);
    }

    @Test
    void webpIsDecodedAndReEncoded() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestMedia.installed("ffmpeg", "-version"),
                "ffmpeg is needed to make a WebP test file");
        Path webp = dir.resolve("in.webp");
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x360",
                "-frames:v", "1", webp.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor()).isZero();

        ImageProcessor.Result r = images.process(webp, "image/webp", dir);

        assertThat(r.image().mime()).isEqualTo("image/jpeg");
        assertThat(r.image().width()).isEqualTo(640);
        assertThat(r.image().height()).isEqualTo(360);
        assertThat(r.thumbnail().width()).isEqualTo(320);
    }

    @Test
    void everyOrientationGivesTheExpectedShape() {
        BufferedImage src = TestMedia.picture(40, 20);
        for (int o = 1; o <= 8; o++) {
            BufferedImage out = ImageProcessor.orient(src, o);
            boolean swapped = o >= 5;
            assertThat(out.getWidth()).as("orientation %d", o).isEqualTo(swapped ? 20 : 40);
            assertThat(out.getHeight()).as("orientation %d", o).isEqualTo(swapped ? 40 : 20);
        }
    }
}
