package dev.parley.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;

/**
 * An npm package the tests run with Node.js, installed under {@code src/test/js/<folder>} by its
 * {@code install.sh} ({@code ./mvnw verify} runs it before the integration tests).
 */
public final class NodePackage {
    private final Path dir;
    private final String folder;
    private final String module;
    private final String group;

    /**
     * @param folder the folder under {@code src/test/js}
     * @param module the npm module that must be installed there
     * @param group  the tests that need it, for the skip message
     */
    public NodePackage(String folder, String module, String group) {
        this.dir = Path.of("src/test/js", folder).toAbsolutePath();
        this.folder = folder;
        this.module = module;
        this.group = group;
    }

    public Path dir() {
        return dir;
    }

    /** Skips the test (fails it under {@code CI=true}) when Node or the installed package is missing. */
    public void require() {
        String why = null;
        if (!onPath("node")) {
            why = group + " need Node.js 20+ and npm; install them with: apt-get install -y nodejs npm";
        } else if (!Files.isDirectory(dir.resolve("node_modules").resolve(module))) {
            why = group + " need " + module + " installed; run server/src/test/js/" + folder + "/install.sh"
                    + " (./mvnw verify runs it before the integration tests)";
        }
        if (why == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why + " [CI=true: failing instead of skipping]");
        }
        Assumptions.abort(why);
    }

    /** Starts {@code node <args>} in the package's folder; with {@code mergeStderr} its stderr joins its stdout. */
    public Process node(List<String> args, boolean mergeStderr) {
        List<String> command = new ArrayList<>(List.of("node"));
        command.addAll(args);
        try {
            return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(mergeStderr).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hands every line of {@code in} (UTF-8) to {@code line} on a virtual thread, then runs {@code end}. */
    public static void readLines(InputStream in, Consumer<String> line, Runnable end) {
        Thread.ofVirtual().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    line.accept(l);
                }
            } catch (IOException ignored) {
                // the process ended
            }
            end.run();
        });
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
