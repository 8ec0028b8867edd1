package io.cohort.chaos.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test a {@link io.cohort.chaos.container.ChaosCluster} of containers: declare a parameter of that
 * type (in the test method, a lifecycle method or the constructor) and use its fault API.
 *
 * <pre>{@code
 * @WithChaosCluster(nodes = 5)
 * class OrdersSurvivePartitionsTest {
 *     @Test
 *     void bridgePartitionHeals(ChaosCluster cluster) throws Exception {
 *         cluster.awaitConverged(Duration.ofSeconds(60));
 *         cluster.partition(Partitions.bridge(cluster.nodeNames()));
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>On a class, one cluster serves every test of the class (started before the first, removed after the last); on a
 * method, that test gets a cluster of its own. Without a Docker engine the tests are skipped with a message saying
 * so, unless the environment variable {@code COHORT_REQUIRE_DOCKER=true} (as CI sets it) makes them fail instead. When
 * a test fails, the last lines of every node's output are attached to its failure.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(ChaosClusterExtension.class)
public @interface WithChaosCluster {

    /** Number of nodes, {@code n1..nN}. */
    int nodes() default 3;

    /**
     * The image; empty for the Cohort node image ({@code cohort-node:dev}, built from the checkout by
     * {@code bin/build-image} when the tests run inside one). A user's image gets the faults; the workload operations
     * need an image that serves the control channel.
     */
    String image() default "";

    /** Environment for every node, as {@code KEY=value}. */
    String[] env() default {};

    /** False for images that serve no control channel (their readiness is "the container runs"). */
    boolean control() default true;

    /** The control channel's port inside the container. */
    int controlPort() default 7777;

    /** Wait for the running nodes to agree on one view before the test starts (Cohort nodes only). */
    boolean awaitConverged() default true;
}
