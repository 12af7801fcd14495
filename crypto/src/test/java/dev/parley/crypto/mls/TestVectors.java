package dev.parley.crypto.mls;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Finds and reads the official mlswg test vectors: {@code PARLEY_MLS_VECTORS}, else the first
 * {@code shared/mls-test-vectors} found walking up from the working directory (the repo may be at
 * {@code /work/main}, a worktree, or a CI clone with {@code shared} beside it). Missing vectors skip the
 * test on a workstation, and fail it under {@code CI=true}, where a skip would hide a gap.
 */
final class TestVectors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestVectors() {}

  static Optional<Path> folder() {
    String env = System.getenv("PARLEY_MLS_VECTORS");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env)).filter(Files::isDirectory);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared").resolve("mls-test-vectors");
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static String missing(String file) {
    return "MLS test vectors not found (set PARLEY_MLS_VECTORS or place shared/mls-test-vectors"
        + " above the project root); " + file + " not checked";
  }

  private static boolean present(String file) {
    Optional<Path> dir = folder();
    if (dir.isPresent() && Files.isRegularFile(dir.get().resolve(file))) {
      return true;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(missing(file));
    }
    return false;
  }

  /**
   * One dynamic test per suite-1 case of {@code file}; when the vectors are absent, a single skipped test
   * that says so (so the report counts a skip rather than silently running nothing).
   */
  static Stream<DynamicTest> cases(String file, Function<Indexed, Stream<DynamicTest>> perCase) {
    if (!present(file)) {
      return Stream.of(DynamicTest.dynamicTest(file + " (vectors not found)", () -> assumeTrue(false, missing(file))));
    }
    return suite1(file).stream().flatMap(perCase);
  }

  /** As {@link #cases(String, Function)}, one test per case named after its index. */
  static Stream<DynamicTest> each(String file, Consumer<JsonNode> check) {
    return cases(file, c -> Stream.of(DynamicTest.dynamicTest(c.name(file), () -> check.accept(c.node()))));
  }

  /** The cases of {@code file}, as an array node; skips (or, under CI, fails) when the folder is absent. */
  static JsonNode load(String file) {
    assumeTrue(present(file), missing(file));
    Optional<Path> dir = folder();
    try {
      return JSON.readTree(dir.get().resolve(file).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The cases for ciphersuite 1, keeping their index in the file for the display name. */
  static List<Indexed> suite1(String file) {
    JsonNode all = load(file);
    List<Indexed> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      JsonNode c = all.get(i);
      if (!c.has("cipher_suite") || c.get("cipher_suite").asInt() == 1) {
        out.add(new Indexed(i, c));
      }
    }
    return out;
  }

  static byte[] hex(JsonNode node) {
    return HexFormat.of().parseHex(node.asText());
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** One case and its position in the vector file. */
  record Indexed(int index, JsonNode node) {
    String name(String file) {
      return file + " #" + index;
    }
  }
}
