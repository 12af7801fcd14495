package dev.parley.core;

/**
 * A registered user. {@code handleKey} is the handle folded to lower case: handles are unique without
 * regard to case, but shown as the user typed them.
 */
public record Account(String userId, String handle, String handleKey, String displayName, String passwordHash,
                      long createdAtMs) {
    @Override
    public String toString() {
        return "Account[userId=" + userId + ", handle=" + handle + "]";
    }
}
