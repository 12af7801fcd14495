package dev.parley.core.port;

import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;

/**
 * The MLS KeyPackage directory: each device's one-time offers to be added to groups. A claim hands each
 * package out once, atomically even when several nodes claim at the same moment; a device's last package is
 * its last-resort package, handed out as often as needed but never removed by a claim (so a device can always
 * be added, even after it ran out). Packages are opaque bytes here: the caller has checked them.
 */
public interface KeyPackageStore {

    /** One package handed out by a claim. */
    record Claimed(String userId, String deviceId, byte[] keyPackage) {
    }

    /**
     * Adds packages for a device, oldest first.
     *
     * @param maxHeld the most a device may hold; an upload that would go over it stores nothing
     * @return how many the device holds now, or empty (nothing stored) if that would be over {@code maxHeld}
     */
    OptionalInt add(String userId, String deviceId, List<byte[]> packages, int maxHeld);

    /**
     * Claims one package for every active (not revoked) device of each user that holds any: the device's oldest
     * package, removed unless it is the last one. A package removed by one claim is never returned by another.
     */
    List<Claimed> claim(Collection<String> userIds);

    /** How many packages the device holds (its last-resort package included). */
    int count(String deviceId);
}
