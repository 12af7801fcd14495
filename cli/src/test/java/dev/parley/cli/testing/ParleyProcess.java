package dev.parley.cli.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The built {@code parley.jar} run as one process per command, exactly as the command-line contract is driven:
 * {@code -s URL -u HANDLE}, the password in {@code PARLEY_PASSWORD} ({@code pw-<handle>-secret}) and the state
 * under {@code PARLEY_HOME}.
 *
 * <p>Each command is a short-lived JVM, so the tests start it with flags that change how fast it starts, never
 * what it does: C1 only and the serial collector (a one-shot client has no use for C2's later, faster code or for
 * GC threads), and a class-data archive of the jar (AppCDS) beside it, {@code parley-cli.jsa}. The first command
 * of a test JVM writes that archive at its exit into a file of its own, which then replaces the shared one in one
 * rename, so a command never maps a half-written archive; the other commands map it read-only. An archive older
 * than the jar is not used and is written again. Run two classes at a time on the two-core CI machine,
 * {@code E2eeCommandsIT} took 45 s instead of 72 s, {@code GroupCommandsIT} 26 s instead of 59 s and
 * {@code AllClientsE2eeIT} 25 s (46 s in the CI run before).
 */
public final class ParleyProcess {
    private static final AtomicBoolean ARCHIVING = new AtomicBoolean();

    private final Path work;
    private final String url;

    /** @param work where each account's {@code PARLEY_HOME} and the captured output go */
    public ParleyProcess(Path work, String url) {
        this.work = work;
        this.url = url;
    }

    /** What one command did. */
    public record Run(int code, String out, String err) {
    }

    /** {@code parley <args>} as {@code handle} with {@code PARLEY_HOME=<work>/<home>}. */
    public Run run(String home, String handle, String... args) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("parley.jar", "target/parley.jar")).toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xlog:disable", "--enable-native-access=ALL-UNNAMED"));
        Path archive = jar.resolveSibling("parley-cli.jsa");
        Path writing = null;
        if (Files.isRegularFile(archive)
                && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
            cmd.add("-XX:SharedArchiveFile=" + archive);
        } else if (ARCHIVING.compareAndSet(false, true)) {
            writing = jar.resolveSibling("parley-cli-" + ProcessHandle.current().pid() + ".jsa");
            cmd.add("-XX:ArchiveClassesAtExit=" + writing);
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-s", url, "-u", handle));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PARLEY_HOME", work.resolve(home).toString());
        pb.environment().put("PARLEY_PASSWORD", "pw-" + handle + "-secret");
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("parley " + String.join(" ", args) + " did not finish");
        }
        if (writing != null) {
            if (Files.isRegularFile(writing)) {
                Files.move(writing, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                ARCHIVING.set(false); // nothing was written (the command failed early): the next command tries
            }
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** {@link #run} that must exit 0. */
    public Run ok(String home, String handle, String... args) throws Exception {
        Run r = run(home, handle, args);
        assertThat(r.code()).as("parley %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }
}
