package dev.parley.crypto.mls.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TreeMathTest {
  @Test
  void directPathAndCopathOfALeafInAnEightLeafTree() {
    // RFC 9420 §4.1 figure: leaf C (node 4) has direct path 5, 3, 7 and copath D(6), 1, 11.
    assertThat(TreeMath.directPath(4, 8)).containsExactly(5, 3, 7);
    assertThat(TreeMath.copath(4, 8)).containsExactly(6, 1, 11);
    assertThat(TreeMath.directPath(7, 8)).isEmpty();
    assertThat(TreeMath.copath(7, 8)).isEmpty();
  }

  @Test
  void indicesOutsideTheTreeAreRefused() {
    assertThatThrownBy(() -> TreeMath.parent(15, 8)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TreeMath.directPath(-1, 8)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TreeMath.nodeWidth(3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TreeMath.leafToNode(1L << 31)).isInstanceOf(IllegalArgumentException.class);
  }
}
