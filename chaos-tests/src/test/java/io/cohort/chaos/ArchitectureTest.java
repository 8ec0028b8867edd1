package io.cohort.chaos;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of the whole project, checked on every module's main classes: third-party networking stays in
 * its transport package, and protocol code takes time, randomness and threads only from the node's seams (this
 * covers the Java 21 APIs the forbidden-apis check cannot see when Maven runs on an older JDK).
 */
class ArchitectureTest {

    /** Packages allowed to touch real threads, clocks and sleeps: drivers, transports, launchers, harnesses. */
    private static final String[] REAL_WORLD_PACKAGES = {
        "io.cohort.node.driver..",
        "io.cohort.node.jgroups..",
        "io.cohort.node.netty..",
        "io.cohort.node.tools..",
        "io.cohort.chaos.cli..",
        "io.cohort.chaos.container..",
        "io.cohort.chaos.bench..",
        "io.cohort.chaos.jmh..",
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.cohort");
    }

    @Test
    void onlyTheJGroupsTransportImportsJGroups() {
        ArchRule rule = noClasses()
                .that()
                .resideOutsideOfPackage("io.cohort.node.jgroups..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.jgroups..")
                .because("membership details stay behind the ControlPlane seam");
        rule.check(classes);
    }

    @Test
    void onlyTheNettyTransportImportsNetty() {
        ArchRule rule = noClasses()
                .that()
                .resideOutsideOfPackage("io.cohort.node.netty..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.netty..")
                .because("the data plane stays behind its transport seam");
        rule.check(classes);
    }

    @Test
    void protocolCodeStartsNoThreadsAndNeverSleeps() {
        ArchRule rule = noClasses()
                .that()
                .resideOutsideOfPackages(REAL_WORLD_PACKAGES)
                .and()
                .haveNameNotMatching("io\\.cohort\\.node\\.process\\.ProcessRuntime.*") // starts processes' threads
                .should()
                .callMethod(Thread.class, "ofVirtual")
                .orShould()
                .callMethod(Thread.class, "ofPlatform")
                .orShould()
                .callMethod(Thread.class, "startVirtualThread", Runnable.class)
                .orShould()
                .callMethod(Thread.class, "sleep", long.class)
                .orShould()
                .callMethod(Thread.class, "sleep", java.time.Duration.class)
                .orShould()
                .callMethod(System.class, "nanoTime")
                .orShould()
                .callMethod(System.class, "currentTimeMillis")
                .because("protocol code is deterministic: threads, time and sleeps come from the NodeContext seams");
        rule.check(classes);
    }

    @Test
    void javaSerializationIsNeverUsed() {
        ArchRule rule = noClasses()
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.io.ObjectOutputStream")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.io.ObjectInputStream")
                .because("every wire format is Protobuf");
        rule.check(classes);
    }
}
