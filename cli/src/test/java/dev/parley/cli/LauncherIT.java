package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./parley} launcher's start-up flags for client commands: the class-data archive it writes beside the
 * jar and maps from then on, and output that stays exactly what the command prints. Each test runs the real
 * launcher in a folder of its own laid out as the repository is ({@code parley}, and a copy of the built jar as
 * {@code cli/target/parley.jar}), so the archive it writes is the test's.
 */
class LauncherIT {
    private static final Path JAR = Path.of(System.getProperty("parley.jar", "target/parley.jar")).toAbsolutePath();
    private static final String JAVA_HOME = System.getProperty("java.home");

    @TempDir
    Path root;
    private Path target;
    private Path jar;
    private Path archive;

    private record Run(int code, String out, String err) {
    }

    @BeforeEach
    void layOutARepository() throws IOException {
        Path launcher = Path.of("..", "parley").toAbsolutePath().normalize();
        assertThat(launcher).as("the launcher at the repository's root").isRegularFile();
        assertThat(JAR).as("the built jar").isRegularFile();
        Files.copy(launcher, root.resolve("parley"), StandardCopyOption.COPY_ATTRIBUTES);
        target = Files.createDirectories(root.resolve("cli/target"));
        jar = Files.copy(JAR, target.resolve("parley.jar"), StandardCopyOption.COPY_ATTRIBUTES);
        archive = target.resolve("parley-cli-" + Path.of(JAVA_HOME).getFileName() + ".jsa");
    }

    @Test
    void aClientCommandWritesTheArchiveOnceAndLaterCommandsMapIt() throws Exception {
        String expected = direct("--version").out();
        assertThat(expected).contains("protocol v1");

        Run first = launcher(null, "--version");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo(expected);
        assertThat(archive).isNotEmptyFile();
        assertThat(filesIn(target)).as("nothing left behind but the jar and the archive")
                .containsExactlyInAnyOrder("parley.jar", archive.getFileName().toString());

        // -Xshare:on makes a JVM that cannot map the archive fail at start, so this run used it.
        Run second = launcher("-Xshare:on", "--version");
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out()).isEqualTo(expected);
    }

    @Test
    void aDamagedArchiveNeitherBreaksACommandNorShowsInItsOutput() throws Exception {
        String expected = direct("--version").out();
        Files.writeString(archive, "not an archive");

        // The control: a JVM that must map it refuses to start.
        assertThat(launcher("-Xshare:on", "--version").code()).isNotZero();

        Run run = launcher(null, "--version");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(expected);
        assertThat(run.err()).doesNotContainIgnoringCase("archive").doesNotContainIgnoringCase("cds");
    }

    @Test
    void anArchiveOlderThanTheJarIsWrittenAgain() throws Exception {
        assertThat(launcher(null, "--version").code()).isZero();
        FileTime jarTime = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(archive, FileTime.fromMillis(jarTime.toMillis() - 3_600_000));

        assertThat(launcher(null, "--version").code()).isZero();
        assertThat(Files.getLastModifiedTime(archive)).isGreaterThan(jarTime);
        Run mapped = launcher("-Xshare:on", "--version");
        assertThat(mapped.code()).as(mapped.err()).isZero();
    }

    @Test
    void onlyClientCommandsGetTheStartUpFlags() throws Exception {
        // -XX:+PrintCommandLineFlags prints the JVM's flags as its first line of output.
        Run client = launcher("-XX:+PrintCommandLineFlags", "--version");
        assertThat(client.code()).as(client.err()).isZero();
        assertThat(client.out().lines().findFirst().orElseThrow())
                .contains("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:ArchiveClassesAtExit=");

        Files.delete(archive);
        for (String command : List.of("server", "bench")) {
            Run help = launcher("-XX:+PrintCommandLineFlags", command, "--help");
            assertThat(help.code()).as(help.err()).isZero();
            String flags = help.out().lines().findFirst().orElseThrow();
            assertThat(flags).doesNotContain("TieredStopAtLevel", "UseSerialGC", "SharedArchiveFile",
                    "ArchiveClassesAtExit");
            assertThat(help.out()).contains("Usage: parley " + command);
        }
        assertThat(launcher("-XX:+PrintCommandLineFlags", "server", "--help").out().lines().findFirst()
                .orElseThrow()).contains("-XX:+UseG1GC");
        assertThat(archive).doesNotExist();
    }

    private Run launcher(String javaOpts, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("parley").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", JAVA_HOME);
        env.put("PARLEY_HOME", root.resolve("home").toString());
        env.remove("PARLEY_JAVA_OPTS");
        if (javaOpts != null) {
            env.put("PARLEY_JAVA_OPTS", javaOpts);
        }
        return run(pb);
    }

    private Run direct(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(JAVA_HOME, "bin", "java").toString(), "-jar",
                JAR.toString()));
        command.addAll(List.of(args));
        return run(new ProcessBuilder(command));
    }

    private Run run(ProcessBuilder pb) throws Exception {
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + pb.command());
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static List<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }
}
