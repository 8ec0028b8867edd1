package io.cohort.chaos.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test only where a Docker engine answers, for tests that start containers themselves (a {@code ChaosRun},
 * say). Without one the test is skipped with a message saying so, or fails when the environment variable
 * {@code COHORT_REQUIRE_DOCKER=true} (CI sets it, so the container suite can never be skipped there unnoticed).
 * {@link WithChaosCluster} implies it.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(DockerCondition.class)
public @interface RequiresDocker {}
