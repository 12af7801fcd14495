package dev.parley.crypto.mls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.tree.TreeMath;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** tree-math.json: node counts, roots, and left/right/parent/sibling of every node (RFC 9420 Appendix C). */
class TreeMathVectorsTest {
  private static final String FILE = "tree-math.json";

  @TestFactory
  Stream<DynamicTest> navigationMatchesTheVectors() {
    return TestVectors.each(FILE, v -> {
      long n = v.get("n_leaves").asLong();
      assertThat(TreeMath.nodeWidth(n)).isEqualTo(v.get("n_nodes").asInt());
      assertThat(TreeMath.root(n)).isEqualTo(v.get("root").asInt());
      for (int x = 0; x < TreeMath.nodeWidth(n); x++) {
        expect(v.get("left").get(x), TreeMath::left, x);
        expect(v.get("right").get(x), TreeMath::right, x);
        expect(v.get("parent").get(x), node -> TreeMath.parent(node, n), x);
        expect(v.get("sibling").get(x), node -> TreeMath.sibling(node, n), x);
      }
    });
  }

  private static void expect(JsonNode expected, IntUnaryOperator op, int x) {
    Integer actual;
    try {
      actual = op.applyAsInt(x);
    } catch (IllegalArgumentException absent) {
      actual = null;
    }
    assertThat(actual).as("node %d", x).isEqualTo(expected.isNull() ? null : expected.asInt());
  }
}
