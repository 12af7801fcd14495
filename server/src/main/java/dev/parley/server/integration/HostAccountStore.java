package dev.parley.server.integration;

import dev.parley.core.Account;
import java.util.List;
import java.util.Optional;

/**
 * What the integration adds to accounts: the host product's own id for a user ({@code externalId}, unique)
 * and the operator's {@code disabled} flag. Methods block; call them from virtual threads.
 */
public interface HostAccountStore {

    /** A user as the operator sees it; {@code erased}: the user deleted the account (DELETE /v1/me). */
    record HostUser(String userId, String handle, String displayName, String externalId, boolean disabled,
                    boolean erased) {
    }

    /**
     * Stores a new account, with its external id (null for none), atomically.
     *
     * @return false, storing nothing, if the handle (by {@link Account#handleKey()}) or the external id is taken
     */
    boolean createAccount(Account account, String externalId);

    Optional<HostUser> find(String userId);

    Optional<HostUser> findByExternalId(String externalId);

    /**
     * Sets the disabled flag.
     *
     * @return false if the user is unknown
     */
    boolean setDisabled(String userId, boolean disabled);

    /** Unlinks the external id from a user (an erased account), so the host's id can name a new user. */
    void forgetExternalId(String userId);

    /** The ids of the user's sessions that are not revoked (expired ones included), in no particular order. */
    List<String> activeDeviceIds(String userId);
}
