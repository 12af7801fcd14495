package dev.parley.server.media.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The external programs that make previews and read durations — {@code ffprobe}, {@code ffmpeg},
 * {@code pdftoppm} — each used only when installed (probed once at start) and always under a timeout. A
 * tool that is missing or fails means no preview, never a failed upload.
 */
public final class MediaTools {
    private static final Logger log = LoggerFactory.getLogger(MediaTools.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String ffmpeg;
    private final String ffprobe;
    private final String pdftoppm;
    private final Duration timeout;

    /** What ffprobe says about a file. */
    public record Probe(Long durationMs, Integer width, Integer height, boolean hasVideo, boolean hasAudio) {
    }

    public MediaTools(String ffmpeg, String ffprobe, String pdftoppm, Duration timeout) {
        this.timeout = timeout;
        this.ffmpeg = installed(ffmpeg, "-version") ? ffmpeg : null;
        this.ffprobe = installed(ffprobe, "-version") ? ffprobe : null;
        this.pdftoppm = installed(pdftoppm, "-v") ? pdftoppm : null;
        log.info("media tools: ffmpeg {}, ffprobe {}, pdftoppm {}", this.ffmpeg != null ? "found" : "absent",
                this.ffprobe != null ? "found" : "absent", this.pdftoppm != null ? "found" : "absent");
    }

    public boolean hasFfmpeg() {
        return ffmpeg != null;
    }

    public boolean hasFfprobe() {
        return ffprobe != null;
    }

    public boolean hasPdftoppm() {
        return pdftoppm != null;
    }

    /** Duration and dimensions from ffprobe; empty when it is absent or cannot read the file. */
    public Optional<Probe> probe(Path file) {
        if (ffprobe == null) {
            return Optional.empty();
        }
        Path out = file.resolveSibling(file.getFileName() + ".probe.json");
        try {
            if (!run(List.of(ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                    file.toString()), out)) {
                return Optional.empty();
            }
            JsonNode root = JSON.readTree(out.toFile());
            Long duration = null;
            if (root.path("format").hasNonNull("duration")) {
                double seconds = root.path("format").path("duration").asDouble(-1);
                duration = seconds >= 0 ? Math.round(seconds * 1000) : null;
            }
            Integer width = null;
            Integer height = null;
            boolean video = false;
            boolean audio = false;
            for (JsonNode s : root.path("streams")) {
                String type = s.path("codec_type").asText();
                boolean attachedPicture = s.path("disposition").path("attached_pic").asInt(0) == 1;
                if (type.equals("video") && !attachedPicture) {
                    video = true;
                    if (width == null && s.path("width").asInt(0) > 0) {
                        width = s.path("width").asInt();
                        height = s.path("height").asInt();
                    }
                } else if (type.equals("audio")) {
                    audio = true;
                }
            }
            return Optional.of(new Probe(duration, width, height, video, audio));
        } catch (IOException | RuntimeException e) {
            log.debug("ffprobe could not read a file: {}", e.toString());
            return Optional.empty();
        } finally {
            deleteQuietly(out);
        }
    }

    /** A JPEG poster frame no larger than {@code edge}, taken a little into the video; empty if none. */
    public Optional<Path> poster(Path video, long durationMs, int edge, Path out) {
        if (ffmpeg == null) {
            return Optional.empty();
        }
        String scale = "scale='min(" + edge + ",iw)':'min(" + edge + ",ih)':force_original_aspect_ratio=decrease";
        String at = String.format(java.util.Locale.ROOT, "%.3f", Math.min(1.0, durationMs / 2000.0));
        for (String seek : List.of(at, "0")) {
            if (run(List.of(ffmpeg, "-v", "error", "-y", "-ss", seek, "-i", video.toString(), "-frames:v", "1",
                    "-vf", scale, "-f", "image2", "-c:v", "mjpeg", out.toString()), null) && nonEmpty(out)) {
                return Optional.of(out);
            }
        }
        return Optional.empty();
    }

    /**
     * The same audio/video streams remuxed without any metadata (GPS in MP4 {@code udta}, ID3 tags …) and,
     * for MP4/QuickTime, with the index moved to the front for streaming. Empty if ffmpeg is absent or fails.
     */
    public Optional<Path> stripMetadata(Path input, String format, Path out) {
        if (ffmpeg == null) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-v", "error", "-y", "-i", input.toString(),
                "-map", "0:v?", "-map", "0:a?", "-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy"));
        if (format.equals("mp4") || format.equals("mov")) {
            cmd.addAll(List.of("-movflags", "+faststart"));
        }
        cmd.addAll(List.of("-f", format, out.toString()));
        return run(cmd, null) && nonEmpty(out) ? Optional.of(out) : Optional.empty();
    }

    /** A PNG of the first page no larger than {@code edge}; empty when pdftoppm is absent or fails. */
    public Optional<Path> pdfPreview(Path pdf, int edge, Path outWithoutExtension) {
        if (pdftoppm == null) {
            return Optional.empty();
        }
        Path png = outWithoutExtension.resolveSibling(outWithoutExtension.getFileName() + ".png");
        boolean ok = run(List.of(pdftoppm, "-f", "1", "-l", "1", "-singlefile", "-scale-to", Integer.toString(edge),
                "-png", pdf.toString(), outWithoutExtension.toString()), null);
        return ok && nonEmpty(png) ? Optional.of(png) : Optional.empty();
    }

    /** The duration of a WAV (or AIFF/AU) file through javax.sound; empty if it cannot tell. */
    public static Optional<Long> pcmDurationMs(Path file) {
        try {
            AudioFileFormat f = AudioSystem.getAudioFileFormat(file.toFile());
            long frames = f.getFrameLength();
            float rate = f.getFormat().getFrameRate();
            if (frames <= 0 || rate <= 0) {
                return Optional.empty();
            }
            return Optional.of(Math.round(frames * 1000.0 / rate));
        } catch (UnsupportedAudioFileException | IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private boolean run(List<String> command, Path stdout) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(stdout == null)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()));
        if (stdout != null) {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = null;
        try {
            p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} took longer than {} and was stopped", command.getFirst(), timeout);
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            log.debug("{} could not run: {}", command.getFirst(), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static boolean installed(String tool, String versionFlag) {
        if (tool == null || tool.isBlank() || tool.equals("none")) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(tool, versionFlag).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean nonEmpty(Path p) {
        try {
            return Files.isRegularFile(p) && Files.size(p) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a work file; the work folder is removed afterwards anyway
        }
    }
}
