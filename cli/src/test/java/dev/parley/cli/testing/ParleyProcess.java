package dev.parley.cli.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code parley.jar} run as one process per command, exactly as the command-line contract is driven:
 * {@code -s URL -u HANDLE}, the password in {@code PARLEY_PASSWORD} ({@code pw-<handle>-secret}) and the state
 * under {@code PARLEY_HOME}.
 */
public final class ParleyProcess {
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
        String jar = System.getProperty("parley.jar", "target/parley.jar");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar));
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
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** {@link #run} that must exit 0. */
    public Run ok(String home, String handle, String... args) throws Exception {
        Run r = run(home, handle, args);
        assertThat(r.code()).as("parley %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }
}
