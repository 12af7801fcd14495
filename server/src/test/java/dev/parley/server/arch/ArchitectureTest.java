package dev.parley.server.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The module rules that keep the core portable: the core decides, adapters do I/O. Maven already keeps
 * the core's classpath free of Vert.x, JDBC drivers and Redis; these rules also keep the JDK's own I/O
 * APIs (SQL, HTTP client) out of it, gateways away from the stores, and Redis inside the backplane.
 */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.parley");

    @Test
    void coreDoesNoIoOfItsOwn() {
        noClasses().that().resideInAPackage("dev.parley.core..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..",
                        "java.net.http..", "io.vertx..", "io.netty..", "io.lettuce..", "software.amazon..")
                .check(CLASSES);
    }

    @Test
    void protocolDependsOnNothingOfParley() {
        noClasses().that().resideInAPackage("dev.parley.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.parley.core..", "dev.parley.server..")
                .check(CLASSES);
    }

    @Test
    void gatewaysReachStorageOnlyThroughTheCore() {
        noClasses().that().resideInAPackage("dev.parley.server.gateway..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.parley.server.store..", "java.sql..")
                .check(CLASSES);
    }

    @Test
    void redisLivesInOnePackage() {
        noClasses().that().resideOutsideOfPackage("dev.parley.server.backplane.redis..")
                .should().dependOnClassesThat().resideInAPackage("io.lettuce..")
                .check(CLASSES);
    }

    @Test
    void theNodeReachesRedisOnlyThroughTheBackplane() {
        noClasses().that().resideOutsideOfPackage("dev.parley.server.backplane..")
                .should().dependOnClassesThat().resideInAPackage("dev.parley.server.backplane.redis..")
                .check(CLASSES);
    }
}
