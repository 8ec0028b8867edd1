package io.cohort.chaos.junit;

import io.cohort.chaos.container.Docker;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Enables a test when a Docker engine answers; otherwise skips it with the reason, unless
 * {@code COHORT_REQUIRE_DOCKER=true} (then the test runs and fails on its first Docker call, naming the reason).
 */
public final class DockerCondition implements ExecutionCondition {

    /** The environment variable that turns "skip without Docker" into "fail without Docker". */
    public static final String REQUIRE_DOCKER = "COHORT_REQUIRE_DOCKER";

    private static volatile Optional<String> missing;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> reason = missing();
        if (reason.isEmpty()) {
            return ConditionEvaluationResult.enabled("a Docker engine answers");
        }
        if (Boolean.parseBoolean(System.getenv(REQUIRE_DOCKER))) {
            return ConditionEvaluationResult.enabled(
                    "no Docker engine, but " + REQUIRE_DOCKER + "=true: the test runs and will fail");
        }
        return ConditionEvaluationResult.disabled("container tests skipped: " + reason.get()
                + " (start a Docker engine to run them; set " + REQUIRE_DOCKER + "=true to fail instead)");
    }

    /** Empty when an engine answers, else why not; asked once per JVM. */
    static Optional<String> missing() {
        Optional<String> known = missing;
        if (known == null) {
            known = Docker.unavailableReason();
            missing = known;
        }
        return known;
    }
}
