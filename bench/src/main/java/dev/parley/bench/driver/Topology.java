package dev.parley.bench.driver;

/**
 * Who talks to whom: {@code groups} conversations of {@code membersPerGroup} members each; member
 * {@code m} belongs to conversation {@code m / membersPerGroup}. {@code direct} makes two-member
 * conversations 1:1 chats (Parley {@code kind: "direct"}).
 */
public record Topology(int groups, int membersPerGroup, boolean direct) {
    public Topology {
        if (groups < 1 || membersPerGroup < 1) {
            throw new IllegalArgumentException("groups and members must be at least 1");
        }
        if (direct && membersPerGroup != 2) {
            throw new IllegalArgumentException("a direct chat has exactly two members");
        }
    }

    public int members() {
        return groups * membersPerGroup;
    }

    public int groupOf(int member) {
        return member / membersPerGroup;
    }

    /** A short key naming this shape, used to cache prepared accounts between runs. */
    public String key() {
        return (direct ? "dm" : "g") + groups + "x" + membersPerGroup;
    }
}
