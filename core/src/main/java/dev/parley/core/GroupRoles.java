package dev.parley.core;

import dev.parley.protocol.ConversationView;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may do what in a group (docs/security.md, "Group roles"). Roles rank {@code owner} &gt; {@code admin} &gt;
 * {@code member}; the rules, which are the whole of it:
 * <ul>
 *   <li>owners and admins add members, rename the group and delete anyone's message; members do none of these;</li>
 *   <li>one member acts on another (remove, set role) only when the target ranks strictly below the actor, and gives
 *       at most the actor's own rank: an owner removes admins and members and makes anyone owner, admin or member;
 *       an admin removes members and makes a member admin; nobody removes or demotes an owner but that owner;</li>
 *   <li>anyone may leave or step down (set their own role lower), as long as the group keeps an owner: the last
 *       owner who leaves hands over to the longest-standing admin, else member ({@link #successor}); the last
 *       owner cannot step down without naming another owner first.</li>
 * </ul>
 * Pure functions of roles, so the table of every actor × target × action is tested without a server.
 */
public final class GroupRoles {
    public static final String OWNER = ConversationView.OWNER;
    public static final String ADMIN = ConversationView.ADMIN;
    public static final String MEMBER = ConversationView.MEMBER;
    /** Every role, highest first. */
    public static final List<String> ALL = List.of(OWNER, ADMIN, MEMBER);

    private GroupRoles() {
    }

    /** 3 for owner, 2 for admin, 1 for member, 0 for anything else (a non-member). */
    public static int rank(String role) {
        if (role == null) {
            return 0;
        }
        return switch (role) {
            case OWNER -> 3;
            case ADMIN -> 2;
            case MEMBER -> 1;
            default -> 0;
        };
    }

    /** Whether {@code role} is one of the three roles. */
    public static boolean valid(String role) {
        return rank(role) > 0;
    }

    /** Owners and admins manage the group: add members, rename, delete others' messages. */
    public static boolean manages(String actorRole) {
        return rank(actorRole) >= rank(ADMIN);
    }

    /** Whether an actor may remove another member (not themselves: leaving is always allowed). */
    public static boolean mayRemove(String actorRole, String targetRole) {
        return manages(actorRole) && rank(targetRole) < rank(actorRole);
    }

    /**
     * Whether an actor may give another member {@code newRole}: the target ranks strictly below the actor and
     * the new role is at most the actor's own.
     */
    public static boolean maySetRole(String actorRole, String targetRole, String newRole) {
        return manages(actorRole) && rank(targetRole) < rank(actorRole) && rank(newRole) <= rank(actorRole)
                && valid(newRole);
    }

    /** Whether a member may set their own role to {@code newRole}: only lower (or the same), never higher. */
    public static boolean maySetOwnRole(String ownRole, String newRole) {
        return valid(newRole) && rank(newRole) <= rank(ownRole);
    }

    /**
     * Who becomes owner when {@code leaving} go: nobody if an owner stays or nobody stays; otherwise the
     * longest-standing admin, else the longest-standing member. {@code members} are in join order.
     */
    public static Optional<String> successor(List<String> members, Map<String, String> roles, List<String> leaving) {
        List<String> staying = members.stream().filter(m -> !leaving.contains(m)).toList();
        if (staying.isEmpty() || staying.stream().anyMatch(m -> OWNER.equals(roles.get(m)))) {
            return Optional.empty();
        }
        return staying.stream().filter(m -> ADMIN.equals(roles.get(m))).findFirst()
                .or(() -> Optional.of(staying.getFirst()));
    }
}
