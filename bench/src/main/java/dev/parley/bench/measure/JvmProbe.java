package dev.parley.bench.measure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live Java heap of another JVM, through {@code jcmd} (a full GC first, then {@code GC.heap_info}).
 * RSS alone says little about a JVM: the heap grows and shrinks in large steps whatever the live data
 * is, so per-connection memory of a Java server is read as live-heap growth plus RSS growth outside a
 * pre-touched heap.
 */
public final class JvmProbe {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private JvmProbe() {
    }

    /** Live heap bytes after a full GC, or -1 if jcmd is missing or the process does not answer. */
    public static long liveHeapBytes(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (pid <= 0 || !Files.isExecutable(jcmd)) {
            return -1;
        }
        if (run(jcmd, pid, "GC.run") == null) {
            return -1;
        }
        String info = run(jcmd, pid, "GC.heap_info");
        if (info == null) {
            return -1;
        }
        Matcher m = USED.matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    private static String run(Path jcmd, long pid, String command) {
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return out;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
