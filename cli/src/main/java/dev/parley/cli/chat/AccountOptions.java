package dev.parley.cli.chat;

import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyException;
import dev.parley.protocol.ErrorCode;
import java.io.Console;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code chat}, {@code send} and {@code tail}: which server, which account, where the
 * local store lives. A session is stored in the local store after the first sign-in, so later runs need no
 * password.
 */
public final class AccountOptions {

    @Option(names = {"-s", "--server"}, paramLabel = "URL", defaultValue = "${env:PARLEY_URL:-http://127.0.0.1:8080}",
            description = "server base URL (env PARLEY_URL; default ${DEFAULT-VALUE})")
    String server;

    @Option(names = {"-u", "--user"}, paramLabel = "HANDLE", defaultValue = "${env:PARLEY_USER}",
            description = "your handle (env PARLEY_USER)")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD", defaultValue = "${env:PARLEY_PASSWORD}",
            description = "your password (env PARLEY_PASSWORD); asked for when needed and not given")
    String password;

    @Option(names = "--sign-up", description = "create the account first")
    boolean signUp;

    @Option(names = "--display-name", paramLabel = "NAME", description = "display name for --sign-up")
    String displayName;

    @Option(names = "--store", paramLabel = "FILE",
            description = "local store file (default: $PARLEY_HOME or ~/.parley, then <host_port>/<handle>.db)")
    Path store;

    /** The store file for this server and handle. */
    Path storeFile() {
        if (store != null) {
            return store;
        }
        String home = System.getenv("PARLEY_HOME");
        Path base = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".parley");
        URI uri = URI.create(server);
        String hostPort = (uri.getHost() == null ? "server" : uri.getHost()) + "_"
                + (uri.getPort() < 0 ? ("https".equals(uri.getScheme()) ? 443 : 80) : uri.getPort());
        return base.resolve(hostPort).resolve(user + ".db");
    }

    /**
     * Builds a client for the account, signing up and in as needed (asking for the password on the console
     * when there is no stored session and none was given), and connects it.
     */
    ParleyClient open(String deviceName, dev.parley.client.ParleyListener... listeners) {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("which account? pass --user <handle> (or set PARLEY_USER)");
        }
        ParleyClient client = ParleyClient.builder().serverUrl(server).store(storeFile()).deviceName(deviceName).build();
        try {
            if (signUp) {
                client.signUp(user, password(), displayName == null ? user : displayName);
            }
            if (signUp || !client.hasSession()) {
                try {
                    client.signIn(user, password());
                } catch (ParleyException e) {
                    if (e.code() == ErrorCode.UNAUTHORIZED) {
                        throw new IllegalArgumentException("wrong handle or password for '" + user
                                + "' (new here? add --sign-up)");
                    }
                    throw e;
                }
            }
            for (dev.parley.client.ParleyListener l : listeners) {
                client.addListener(l);
            }
            client.connect();
            try {
                // Short-lived commands must not exit before others can add this device to e2ee conversations.
                client.ensureKeyPackages();
            } catch (ParleyException e) {
                // offline: the next connection uploads them
            }
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private String password() {
        if (password != null) {
            return password;
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("no password: pass --password or set PARLEY_PASSWORD");
        }
        char[] pw = console.readPassword("password for %s: ", user);
        if (pw == null) {
            throw new IllegalArgumentException("no password given");
        }
        password = new String(pw);
        return password;
    }
}
