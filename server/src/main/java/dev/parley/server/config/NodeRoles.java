package dev.parley.server.config;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a node runs ({@code parley server --roles}, {@code PARLEY_ROLES}, {@code server.roles}): one artifact,
 * split by role behind a path-routing load balancer (docs/scaling.md, "Split roles"). Every node answers
 * {@code /healthz} and {@code /metrics}; a route of a role the node does not run is answered {@code 421}.
 *
 * @param roles at least one role; all four by default
 */
public record NodeRoles(Set<Role> roles) {

    /** The four roles, with the names used on the command line and in the config. */
    public enum Role {
        /** WebSocket {@code /v1/ws}, MQTT (TCP listener and {@code /v1/mqtt}), Socket.IO. */
        GATEWAY,
        /** The HTTP API (and the OpenAPI document and the web client's files). */
        API,
        /** Uploads, downloads, previews ({@code /v1/media}, {@code /v1/uploads}) and the media sweeper. */
        MEDIA,
        /** Push delivery from the durable queue and webhook delivery from the outbox. */
        WORKER;

        /** The name as written in {@code --roles}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public NodeRoles {
        if (roles == null || roles.isEmpty()) {
            throw new IllegalArgumentException("roles must name at least one of " + names());
        }
        roles = Set.copyOf(EnumSet.copyOf(roles));
    }

    /** Every role: the default, a node that does everything. */
    public static NodeRoles all() {
        return new NodeRoles(EnumSet.allOf(Role.class));
    }

    /** The default as the config file writes it. */
    public static List<String> allNames() {
        return names();
    }

    /**
     * Reads a list such as {@code [gateway, api]} (or one comma-separated string).
     *
     * @throws IllegalArgumentException naming the valid roles when one is unknown or none is given
     */
    public static NodeRoles parse(List<String> names) {
        EnumSet<Role> set = EnumSet.noneOf(Role.class);
        for (String entry : names == null ? List.<String>of() : names) {
            for (String part : entry.split(",")) {
                String name = part.strip().toLowerCase(Locale.ROOT);
                if (name.isEmpty()) {
                    continue;
                }
                Role role = null;
                for (Role r : Role.values()) {
                    if (r.wire().equals(name)) {
                        role = r;
                    }
                }
                if (role == null) {
                    throw new IllegalArgumentException("unknown role '" + part.strip() + "' (valid roles: "
                            + String.join(", ", names()) + ")");
                }
                set.add(role);
            }
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("roles must name at least one of " + String.join(", ", names()));
        }
        return new NodeRoles(set);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** Whether this node runs every role (the all-in-one node). */
    public boolean isAll() {
        return roles.size() == Role.values().length;
    }

    /** The roles in their canonical order, as {@code --roles} writes them. */
    public List<String> list() {
        List<String> out = new ArrayList<>();
        for (Role r : EnumSet.copyOf(roles)) {
            out.add(r.wire());
        }
        return out;
    }

    private static List<String> names() {
        List<String> out = new ArrayList<>();
        for (Role r : Role.values()) {
            out.add(r.wire());
        }
        return out;
    }

    @Override
    public String toString() {
        return String.join(",", list());
    }
}
