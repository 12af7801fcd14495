import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * java JfrStats.java rec.jfr t0EpochMs t1EpochMs deliveries (used by alloc-per-delivery.sh)
 * Allocated bytes per delivery (jdk.ThreadAllocationStatistics diff over the window, per thread),
 * top execution-sample frames (self and inclusive shares), top allocation sites (sample weight).
 */
public class JfrStats {
    public static void main(String[] a) throws Exception {
        Path file = Path.of(a[0]);
        Instant t0 = Instant.ofEpochMilli(Long.parseLong(a[1]));
        Instant t1 = Instant.ofEpochMilli(Long.parseLong(a[2]));
        double deliveries = Double.parseDouble(a[3]);
        Map<Long, long[]> alloc = new HashMap<>(); // tid -> [lastBefore t0, lastBefore t1]
        Map<Long, String> names = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> incl = new HashMap<>();
        Map<String, Integer> threadSamples = new HashMap<>();
        Map<String, Long> allocSite = new HashMap<>();
        Map<String, Long> allocInclusive = new HashMap<>();
        Map<String, Long> allocClass = new HashMap<>();
        int samples = 0;
        long allocWeight = 0;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                String type = e.getEventType().getName();
                Instant t = e.getStartTime();
                if (type.equals("jdk.ThreadAllocationStatistics")) {
                    RecordedThread th = e.getThread("thread");
                    if (th == null) continue;
                    long id = th.getJavaThreadId();
                    names.put(id, th.getJavaName());
                    long v = e.getLong("allocated");
                    long[] s = alloc.computeIfAbsent(id, k -> new long[] {-1, -1});
                    if (!t.isAfter(t0)) s[0] = v;
                    if (!t.isAfter(t1)) s[1] = v;
                    continue;
                }
                if (t.isBefore(t0) || t.isAfter(t1)) continue;
                if (type.equals("jdk.ExecutionSample")) {
                    RecordedStackTrace st = e.getStackTrace();
                    if (st == null || st.getFrames().isEmpty()) continue;
                    samples++;
                    RecordedThread th = e.getThread("sampledThread");
                    String tn = th == null ? "?" : bucket(th.getJavaName());
                    threadSamples.merge(tn, 1, Integer::sum);
                    self.merge(name(st.getFrames().get(0)), 1, Integer::sum);
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame f : st.getFrames()) {
                        String n = name(f);
                        if (seen.add(n)) incl.merge(n, 1, Integer::sum);
                    }
                } else if (type.equals("jdk.ObjectAllocationSample")) {
                    long w = e.getLong("weight");
                    allocWeight += w;
                    RecordedClass c = e.getClass("objectClass");
                    allocClass.merge(c == null ? "?" : c.getName(), w, Long::sum);
                    RecordedStackTrace st = e.getStackTrace();
                    if (st == null) continue;
                    List<RecordedFrame> fr = st.getFrames();
                    // first frame outside java.*/jdk.* as "site"
                    String site = fr.isEmpty() ? "?" : name(fr.get(0));
                    for (RecordedFrame f : fr) {
                        String n = name(f);
                        if (n.startsWith("dev.parley")) { site = n; break; }
                    }
                    allocSite.merge(site, w, Long::sum);
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame f : fr) {
                        String n = name(f);
                        if (seen.add(n)) allocInclusive.merge(n, w, Long::sum);
                    }
                }
            }
        }
        long total = 0;
        Map<String, Long> byThread = new HashMap<>();
        for (var en : alloc.entrySet()) {
            long[] s = en.getValue();
            if (s[1] < 0) continue;
            long d = s[1] - Math.max(0, s[0]);
            total += d;
            byThread.merge(bucket(names.get(en.getKey())), d, Long::sum);
        }
        System.out.printf("window %.1f s, deliveries %.0f%n", (t1.toEpochMilli() - t0.toEpochMilli()) / 1000.0, deliveries);
        System.out.printf("ALLOCATED total %.1f MB = %.0f bytes/delivery%n", total / 1e6, total / deliveries);
        byThread.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(10)
                .forEach(en -> System.out.printf("  alloc thread %-40s %8.0f B/delivery%n", en.getKey(), en.getValue() / deliveries));
        System.out.printf("EXECUTION samples %d%n", samples);
        final int n = samples;
        threadSamples.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(10)
                .forEach(en -> System.out.printf("  thread %-40s %5.1f %%%n", en.getKey(), 100.0 * en.getValue() / n));
        System.out.println("top self:");
        self.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(25)
                .forEach(en -> System.out.printf("  %5.1f %%  %s%n", 100.0 * en.getValue() / n, en.getKey()));
        System.out.println("inclusive (dev.parley, top 40):");
        incl.entrySet().stream().filter(en -> en.getKey().startsWith("dev.parley") || matches(en.getKey(), a))
                .sorted((x, y) -> y.getValue() - x.getValue()).limit(40)
                .forEach(en -> System.out.printf("  %5.1f %%  %s%n", 100.0 * en.getValue() / n, en.getKey()));
        System.out.printf("ALLOC samples weight %.1f MB%n", allocWeight / 1e6);
        final long aw = allocWeight;
        System.out.println("alloc by first dev.parley frame (top 25):");
        allocSite.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(25)
                .forEach(en -> System.out.printf("  %5.1f %%  %s%n", 100.0 * en.getValue() / aw, en.getKey()));
        System.out.println("alloc inclusive dev.parley (top 30):");
        allocInclusive.entrySet().stream().filter(en -> en.getKey().startsWith("dev.parley"))
                .sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(30)
                .forEach(en -> System.out.printf("  %5.1f %%  %s%n", 100.0 * en.getValue() / aw, en.getKey()));
        System.out.println("alloc by class (top 15):");
        allocClass.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(15)
                .forEach(en -> System.out.printf("  %5.1f %%  %s%n", 100.0 * en.getValue() / aw, en.getKey()));
    }

    static boolean matches(String n, String[] a) {
        for (int i = 4; i < a.length; i++) if (n.contains(a[i])) return true;
        return false;
    }

    static String bucket(String t) {
        if (t == null) return "?";
        return t.replaceAll("[0-9]+", "N");
    }

    static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m.getType().getName() + "." + m.getName();
    }
}
