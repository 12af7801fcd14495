package dev.parley.testkit;

import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints, at the end of each test run, one line per group of tests that did not run and why (a service
 * that was not reachable, a tool that is not installed), so that a green build never hides what it left
 * out. Tests skip with a message that starts with the group's name and says how to install what is
 * missing; this listener counts them by that message. Registered through {@code META-INF/services}, so it
 * is active in every module that has this kit on its test class path.
 */
public final class SkippedGroups implements TestExecutionListener {
    private final Map<String, AtomicInteger> reasons = new TreeMap<>();

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        record(reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            record(result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private synchronized void record(String reason) {
        String line = Optional.ofNullable(reason).orElse("no reason given").lines().findFirst().orElse("").strip();
        // "Assumption failed: ..." is JUnit's wording around assumeTrue's message; the message is what matters.
        line = line.replaceFirst("^Assumption failed: (assumption is not true)?", "").strip();
        reasons.computeIfAbsent(line.isEmpty() ? "no reason given" : line, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        if (reasons.isEmpty()) {
            return;
        }
        PrintStream out = System.out;
        reasons.forEach((reason, count) -> out.println("[SKIPPED] " + count + " test(s): " + reason));
        out.flush();
    }
}
