-- MLS KeyPackages offered by each device: handed out once each, except a device's last one (its
-- last-resort package), which is handed out as often as needed and never removed by a claim.
CREATE TABLE key_packages (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       TEXT    NOT NULL,
    device_id     TEXT    NOT NULL,
    package       BYTEA   NOT NULL,
    created_at_ms BIGINT  NOT NULL
);
CREATE INDEX key_packages_device ON key_packages (device_id, id);
CREATE INDEX key_packages_user ON key_packages (user_id, device_id);
