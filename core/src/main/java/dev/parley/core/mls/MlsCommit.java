package dev.parley.core.mls;

import dev.parley.core.NewEntry;
import java.util.List;

/**
 * An accepted Commit, ready to be stored in one transaction: the group must still be at {@code epoch}; it then
 * moves to {@code epoch + 1}, the leaves in {@code cleared} are blanked, those in {@code set} are written (by
 * index, replacing any there), {@code entry} is appended, and then each of {@code system} (membership changes,
 * applied with their append).
 */
public record MlsCommit(NewEntry entry, long epoch, List<Long> cleared, List<MlsLeaf> set, List<NewEntry> system) {
    public MlsCommit {
        cleared = List.copyOf(cleared);
        set = List.copyOf(set);
        system = List.copyOf(system);
    }
}
