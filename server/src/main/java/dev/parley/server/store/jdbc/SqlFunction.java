package dev.parley.server.store.jdbc;

import java.sql.SQLException;

/** A function that may throw {@link SQLException}, for work done on a connection or in a transaction. */
@FunctionalInterface
public interface SqlFunction<A, R> {
    R apply(A argument) throws SQLException;
}
