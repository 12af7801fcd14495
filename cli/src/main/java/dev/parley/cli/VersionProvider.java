package dev.parley.cli;

import picocli.CommandLine;

/** Reads the version from the jar's manifest (set by the build). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = ParleyCommand.class.getPackage().getImplementationVersion();
        return new String[] {"parley " + (v == null ? "development build" : v), "protocol v1",
                "Java " + System.getProperty("java.version")};
    }
}
