package dev.parley.server.media.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The external programs that make previews and read durations — {@code ffprobe}, {@code ffmpeg},
 * {@code pdftoppm} — each used only when installed (probed once at start). They parse untrusted files, so
 * every run is boxed in:
 * <ul>
 *   <li>ffmpeg/ffprobe get the demuxer the sniffer found forced with {@code -f} (only for the containers
 *       we accept; anything else is not handed to them at all) and {@code -protocol_whitelist file}, and
 *       read the input as {@code file:<path>}: a playlist or concat list disguised as a video is never
 *       interpreted, and no other protocol can be opened from inside a file;</li>
 *   <li>no network: the run is started in a new, empty network namespace ({@code unshare -n}) where that
 *       works (root, or unprivileged user namespaces); elsewhere a warning is logged once at start;</li>
 *   <li>a time limit (killed with all its children), and an address-space, CPU-time and core-dump limit
 *       through {@code prlimit} (or {@code ulimit} in {@code /bin/sh} where util-linux is missing);</li>
 *   <li>a fresh, empty scratch folder as working directory, deleted afterwards, and an environment
 *       holding only {@code PATH}, {@code LC_ALL} and {@code MALLOC_ARENA_MAX}, so no secret of the server's environment leaks in.</li>
 * </ul>
 * A tool that is missing, fails, or hits a limit means no preview, never a failed upload.
 */
public final class MediaTools {
    private static final Logger log = LoggerFactory.getLogger(MediaTools.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String ffmpeg;
    private final String ffprobe;
    private final String pdftoppm;
    private final Duration timeout;
    private final long memoryBytes;
    private final Path scratchRoot;
    private final List<String> sandbox;

    /** What ffprobe says about a file. */
    public record Probe(Long durationMs, Integer width, Integer height, boolean hasVideo, boolean hasAudio) {
    }

    /**
     * @param memoryBytes address-space limit of each run
     * @param scratchRoot where each run's fresh working folder is made
     */
    public MediaTools(String ffmpeg, String ffprobe, String pdftoppm, Duration timeout, long memoryBytes,
                      Path scratchRoot) {
        this.timeout = timeout;
        this.memoryBytes = memoryBytes;
        this.scratchRoot = scratchRoot;
        this.ffmpeg = installed(ffmpeg, "-version") ? ffmpeg : null;
        this.ffprobe = installed(ffprobe, "-version") ? ffprobe : null;
        this.pdftoppm = installed(pdftoppm, "-v") ? pdftoppm : null;
        this.sandbox = this.ffmpeg != null || this.ffprobe != null || this.pdftoppm != null ? sandbox() : List.of();
        log.info("media tools: ffmpeg {}, ffprobe {}, pdftoppm {}; sandbox {}", this.ffmpeg != null ? "found" : "absent",
                this.ffprobe != null ? "found" : "absent", this.pdftoppm != null ? "found" : "absent", sandbox);
    }

    /** The ffmpeg demuxer for a sniffed type, or empty for types no tool should be asked to parse. */
    public static Optional<String> demuxerFor(String mime) {
        return Optional.ofNullable(switch (mime) {
            case "video/mp4", "audio/mp4", "video/quicktime" -> "mov";
            case "video/webm", "audio/webm" -> "matroska";
            case "audio/mpeg" -> "mp3";
            case "audio/ogg" -> "ogg";
            case "audio/wav" -> "wav";
            default -> null;
        });
    }

    /** The prefix every tool run gets: a network namespace when possible, then the resource limits. */
    private List<String> sandbox() {
        List<String> prefix = new ArrayList<>();
        if (works(List.of("unshare", "-n", "true"))) {
            prefix.addAll(List.of("unshare", "-n"));
        } else {
            log.warn("media tools run WITHOUT a network namespace: 'unshare -n' is not permitted here; ffmpeg "
                    + "and ffprobe are still held to file: inputs by -protocol_whitelist");
        }
        long cpuSeconds = Math.max(1, timeout.toSeconds() + 1);
        if (works(List.of("prlimit", "--as=" + memoryBytes, "--", "true"))) {
            prefix.addAll(List.of("prlimit", "--as=" + memoryBytes, "--cpu=" + cpuSeconds, "--core=0", "--"));
        } else {
            log.warn("prlimit (util-linux) is missing: media tools are limited through /bin/sh ulimit");
            prefix.addAll(List.of("/bin/sh", "-c", "ulimit -v " + (memoryBytes / 1024) + " -t " + cpuSeconds
                    + " -c 0 && exec \"$@\"", "parley-tool"));
        }
        return List.copyOf(prefix);
    }

    /** Whether network isolation is in effect (for tests and the start-up log). */
    public boolean isolatesNetwork() {
        return !sandbox.isEmpty() && sandbox.getFirst().equals("unshare");
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

    /**
     * Duration and dimensions from ffprobe, reading the file as the sniffed {@code mime} only; empty when it
     * is absent, the type is not one it should parse, or it cannot read the file.
     */
    public Optional<Probe> probe(Path file, String mime) {
        Optional<String> demuxer = demuxerFor(mime);
        if (ffprobe == null || demuxer.isEmpty()) {
            return Optional.empty();
        }
        Path out = file.resolveSibling(file.getFileName() + ".probe.json");
        try {
            if (!run(List.of(ffprobe, "-v", "error", "-protocol_whitelist", "file", "-f", demuxer.get(),
                    "-print_format", "json", "-show_format", "-show_streams", input(file)), out)) {
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
    public Optional<Path> poster(Path video, String mime, long durationMs, int edge, Path out) {
        Optional<String> demuxer = demuxerFor(mime);
        if (ffmpeg == null || demuxer.isEmpty()) {
            return Optional.empty();
        }
        String scale = "scale='min(" + edge + ",iw)':'min(" + edge + ",ih)':force_original_aspect_ratio=decrease";
        String at = String.format(java.util.Locale.ROOT, "%.3f", Math.min(1.0, durationMs / 2000.0));
        for (String seek : List.of(at, "0")) {
            if (run(List.of(ffmpeg, "-v", "error", "-nostdin", "-y", "-protocol_whitelist", "file", "-ss", seek,
                    "-f", demuxer.get(), "-i", input(video), "-frames:v", "1", "-vf", scale, "-f", "image2",
                    "-c:v", "mjpeg", "file:" + out), null) && nonEmpty(out)) {
                return Optional.of(out);
            }
        }
        return Optional.empty();
    }

    /**
     * The same audio/video streams remuxed without any metadata (GPS in MP4 {@code udta}, ID3 tags …) and,
     * for MP4/QuickTime, with the index moved to the front for streaming. Empty if ffmpeg is absent or fails.
     */
    public Optional<Path> stripMetadata(Path input, String mime, String format, Path out) {
        Optional<String> demuxer = demuxerFor(mime);
        if (ffmpeg == null || demuxer.isEmpty()) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-v", "error", "-nostdin", "-y", "-protocol_whitelist",
                "file", "-f", demuxer.get(), "-i", input(input),
                "-map", "0:v?", "-map", "0:a?", "-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy"));
        if (format.equals("mp4") || format.equals("mov")) {
            cmd.addAll(List.of("-movflags", "+faststart"));
        }
        cmd.addAll(List.of("-f", format, "file:" + out));
        return run(cmd, null) && nonEmpty(out) ? Optional.of(out) : Optional.empty();
    }

    /** A PNG of the first page no larger than {@code edge}; empty when pdftoppm is absent or fails. */
    public Optional<Path> pdfPreview(Path pdf, int edge, Path outWithoutExtension) {
        if (pdftoppm == null) {
            return Optional.empty();
        }
        Path png = outWithoutExtension.resolveSibling(outWithoutExtension.getFileName() + ".png");
        boolean ok = run(List.of(pdftoppm, "-f", "1", "-l", "1", "-singlefile", "-scale-to", Integer.toString(edge),
                "-png", pdf.toAbsolutePath().toString(), outWithoutExtension.toAbsolutePath().toString()), null);
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

    /** A path as an ffmpeg input that can only mean a local file, whatever characters the name holds. */
    private static String input(Path file) {
        return "file:" + file.toAbsolutePath();
    }

    /**
     * Runs one tool in the sandbox: fresh scratch folder as working directory, a minimal environment, the
     * limits, and the timeout, after which it is killed with every process it started.
     */
    private boolean run(List<String> command, Path stdout) {
        List<String> boxed = new ArrayList<>(sandbox);
        boxed.addAll(command);
        Path scratch = null;
        Process p = null;
        try {
            Files.createDirectories(scratchRoot);
            scratch = Files.createTempDirectory(scratchRoot, "tool-");
            ProcessBuilder pb = new ProcessBuilder(boxed).directory(scratch.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = pb.environment();
            String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
            env.clear();
            env.put("PATH", path);
            env.put("LC_ALL", "C");
            // glibc reserves 64 MiB of address space per malloc arena, up to 8 per core: without a cap a
            // threaded ffmpeg on a many-core host would hit the address-space limit before using any memory.
            env.put("MALLOC_ARENA_MAX", "2");
            pb.redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD
                    : ProcessBuilder.Redirect.to(stdout.toFile()));
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} took longer than {} and was stopped", command.getFirst(), timeout);
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
                kill(p);
            }
            deleteTree(scratch);
        }
    }

    /** Kills a run and everything it started (a shell script's children would otherwise outlive it). */
    private static void kill(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean works(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
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

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(MediaTools::deleteQuietly);
        } catch (IOException ignored) {
            // best effort: the scratch root is under the media tmp folder, swept with it
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
