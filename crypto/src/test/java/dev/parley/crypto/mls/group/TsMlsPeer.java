package dev.parley.crypto.mls.group;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A ts-mls member in a Node process ({@code src/test/js/ts-mls-peer.mjs}), driven one JSON line at a
 * time over stdin/stdout. Node is found on {@code PATH}; without it the test is skipped on a workstation
 * and fails under {@code CI=true}. ts-mls is installed from the committed lock file ({@code npm ci}) the
 * first time, or whenever the lock file changed.
 */
final class TsMlsPeer implements AutoCloseable {
  static final String SKIP = "ts-mls interop (crypto/src/test/js) needs Node.js 20+ and npm: apt-get install -y nodejs npm";
  private static final Path DIR = Path.of("src/test/js").toAbsolutePath();
  private static final Path LOGS = Path.of("target/ts-mls-interop").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Generous: a commit in Node on a loaded 2-core machine can take a while, but never this long. */
  private static final long ANSWER_SECONDS = 120;
  private static boolean installed;

  private final Process process;
  private final BufferedReader out;
  private final OutputStream in;

  private TsMlsPeer(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = process.getOutputStream();
  }

  static TsMlsPeer start() throws IOException, InterruptedException {
    installOnce();
    // Output goes to files under target/: writing to the forked test JVM's own streams corrupts Surefire's channel.
    Files.createDirectories(LOGS);
    ProcessBuilder pb = new ProcessBuilder("node", "ts-mls-peer.mjs").directory(DIR.toFile())
        .redirectError(ProcessBuilder.Redirect.appendTo(LOGS.resolve("ts-mls-peer.stderr").toFile()));
    return new TsMlsPeer(pb.start());
  }

  private static synchronized void installOnce() throws IOException, InterruptedException {
    if (installed) {
      return;
    }
    boolean haveNode = onPath("node") && onPath("npm");
    if (!haveNode && "true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(SKIP + " [CI=true: failing instead of skipping]");
    }
    assumeTrue(haveNode, SKIP);
    Path lock = DIR.resolve("package-lock.json");
    Path installedLock = DIR.resolve("node_modules/.package-lock.json");
    if (!Files.exists(installedLock) || !sameInstall(lock, installedLock)) {
      Files.createDirectories(LOGS);
      Path log = LOGS.resolve("npm-ci.log");
      Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
          .directory(DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
        npm.destroyForcibly();
        fail("npm ci in " + DIR + " failed:\n" + Files.readString(log));
      }
    }
    installed = true;
  }

  /** npm writes its own copy of the lock file's package entries into node_modules; compare those. */
  private static boolean sameInstall(Path lock, Path installedLock) throws IOException {
    JsonNode wanted = JSON.readTree(lock.toFile()).path("packages");
    JsonNode have = JSON.readTree(installedLock.toFile()).path("packages");
    var names = wanted.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!name.isEmpty() && !wanted.get(name).path("version").equals(have.path(name).path("version"))) {
        return false;
      }
    }
    return true;
  }

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Arrays.stream(path.split(java.io.File.pathSeparator))
        .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
  }

  /** Sends one command; answers the peer's reply, failing the test if the peer reports an error. */
  JsonNode call(String op, Object... fields) {
    JsonNode answer = ask(op, fields);
    if (!answer.path("ok").asBoolean()) {
      fail("ts-mls " + op + " failed: " + answer.path("error").asText());
    }
    return answer;
  }

  /** Sends one command and answers the reply as it is ({@code ok} false on an error in ts-mls). */
  JsonNode ask(String op, Object... fields) {
    ObjectNode request = JSON.createObjectNode().put("op", op);
    for (int i = 0; i < fields.length; i += 2) {
      request.set((String) fields[i], JSON.valueToTree(fields[i + 1]));
    }
    try {
      in.write((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(ANSWER_SECONDS, TimeUnit.SECONDS);
      if (line == null) {
        throw new IllegalStateException("ts-mls peer exited (" + process.waitFor() + ")");
      }
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new IllegalStateException("ts-mls peer: " + op, e);
    }
  }

  static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static byte[] bytes(JsonNode node) {
    return Base64.getDecoder().decode(node.asText());
  }

  @Override
  public void close() throws InterruptedException {
    try {
      in.close();
    } catch (IOException ignored) {
      // the process is ending anyway
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
