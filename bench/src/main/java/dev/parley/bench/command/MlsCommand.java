package dev.parley.bench.command;

import dev.parley.crypto.mls.group.CommitBuilder;
import dev.parley.crypto.mls.group.CommitProcessor;
import dev.parley.crypto.mls.group.Group;
import dev.parley.crypto.mls.group.GroupCreation;
import dev.parley.crypto.mls.group.GroupState;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.group.PskStore;
import dev.parley.crypto.mls.group.WelcomeJoin;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench mls}: what MLS membership changes cost with Parley's own implementation (the crypto module),
 * in one process, no network. For each group size N: one Commit that adds N devices at once (a group's
 * creation), then adding one more device to the group of N (the Commit, the Welcome, another member
 * processing the Commit, the new device joining), and the size of the saved group state. Sizes do not depend
 * on load; times do, so the load average is printed beside them.
 */
@Command(name = "mls", mixinStandardHelpOptions = true,
        description = "Measure MLS commit and Welcome sizes and the time to add devices (crypto module, no network).")
public final class MlsCommand implements Callable<Integer> {
    private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
    private static final PskStore NO_PSKS = id -> Optional.empty();

    @Option(names = "--sizes", split = ",", defaultValue = "10,100,1000", paramLabel = "N,N,...",
            description = "group sizes in devices (default ${DEFAULT-VALUE})")
    List<Integer> sizes;

    @Option(names = "--rounds", defaultValue = "5", paramLabel = "R",
            description = "single-device adds measured per size; the median is printed (default ${DEFAULT-VALUE})")
    int rounds;

    private static KeyPackages.Created device(int i) {
        byte[] id = ("usr_bench/dev_" + i).getBytes(StandardCharsets.UTF_8);
        return KeyPackages.create(CS, Credential.basic(id), CS.random(32), 0, Long.MAX_VALUE);
    }

    @Override
    public Integer call() throws Exception {
        System.out.println("load average: " + loadAverage());
        System.out.println("| devices N | add N at once: ms | commit bytes | Welcome bytes "
                + "| add 1 to N: commit+Welcome ms | member processes ms | new device joins ms "
                + "| commit bytes | Welcome bytes | saved state bytes |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (int n : sizes) {
            row(n);
        }
        System.out.println("load average: " + loadAverage());
        return 0;
    }

    private void row(int n) {
        KeyPackages.Created creator = device(0);
        Group alice = GroupCreation.create(CS, "cnv_bench".getBytes(StandardCharsets.UTF_8), creator.keyPackage(),
                creator.secrets());
        List<KeyPackages.Created> devices = new ArrayList<>();
        List<KeyPackage> packages = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            KeyPackages.Created d = device(i);
            devices.add(d);
            packages.add(d.keyPackage());
        }
        long t0 = System.nanoTime();
        CommitBuilder.Result created = CommitBuilder.commit(alice, packages, List.of());
        created.pending().merge();
        long createNs = System.nanoTime() - t0;
        int createCommit = created.commit().encode().length;
        int createWelcome = created.welcome().map(w -> w.encode().length).orElse(0);
        // One other member, to process the single-device Commits the way every member would.
        Group bob = n > 1 ? WelcomeJoin.join(CS, wire(created.welcome().orElseThrow()).welcome(),
                devices.get(0).keyPackage(), devices.get(0).secrets(), Optional.empty(), NO_PSKS) : null;

        long[] commitNs = new long[rounds];
        long[] processNs = new long[rounds];
        long[] joinNs = new long[rounds];
        int commitBytes = 0;
        int welcomeBytes = 0;
        for (int r = 0; r < rounds; r++) {
            KeyPackages.Created extra = device(n + r);
            long a = System.nanoTime();
            CommitBuilder.Result add = CommitBuilder.commit(alice, List.of(extra.keyPackage()), List.of());
            byte[] commit = add.commit().encode();
            byte[] welcome = add.welcome().orElseThrow().encode();
            add.pending().merge();
            long b = System.nanoTime();
            if (bob != null) {
                CommitProcessor.apply(bob, MlsMessage.decode(commit), List.of(), NO_PSKS);
            }
            long c = System.nanoTime();
            Group joined = WelcomeJoin.join(CS, MlsMessage.decode(welcome).welcome(), extra.keyPackage(), extra.secrets(),
                    Optional.empty(), NO_PSKS);
            long d = System.nanoTime();
            joined.wipe();
            commitNs[r] = b - a;
            processNs[r] = c - b;
            joinNs[r] = d - c;
            commitBytes = commit.length;
            welcomeBytes = welcome.length;
        }
        int stateBytes = GroupState.encode(alice).length;
        System.out.printf("| %d | %.1f | %d | %d | %.1f | %s | %.1f | %d | %d | %d |%n", n, createNs / 1e6, createCommit,
                createWelcome, median(commitNs), bob == null ? "-" : String.format("%.1f", median(processNs)),
                median(joinNs), commitBytes, welcomeBytes, stateBytes);
    }

    private static MlsMessage wire(MlsMessage m) {
        return MlsMessage.decode(m.encode());
    }

    private static double median(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
