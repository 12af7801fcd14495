package dev.parley.core.mls;

import java.util.List;

/**
 * The Delivery Service's state of one e2ee conversation's MLS group: its current epoch and its occupied leaves
 * in index order (none before the first Commit).
 */
public record MlsGroupView(long epoch, List<MlsLeaf> leaves) {
    public MlsGroupView {
        leaves = List.copyOf(leaves);
    }
}
