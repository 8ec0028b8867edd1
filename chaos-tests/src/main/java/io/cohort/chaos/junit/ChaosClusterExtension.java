package io.cohort.chaos.junit;

import io.cohort.chaos.container.ChaosCluster;
import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The extension behind {@link WithChaosCluster}: skips without Docker (or fails, under
 * {@code COHORT_REQUIRE_DOCKER=true}; see {@link DockerCondition}), starts the cluster the annotation describes, resolves {@link ChaosCluster}
 * parameters, attaches the nodes' output to a failure, and removes the containers afterwards (the cluster is kept in
 * the JUnit store, which closes it with its scope).
 */
public final class ChaosClusterExtension
        implements ExecutionCondition,
                BeforeAllCallback,
                BeforeEachCallback,
                ParameterResolver,
                TestExecutionExceptionHandler {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ChaosClusterExtension.class);
    private static final Duration CONVERGE_BOUND = Duration.ofSeconds(90);
    private static final int LOG_LINES = 40;
    private static final DockerCondition DOCKER = new DockerCondition();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return DOCKER.evaluateExecutionCondition(context);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Optional<WithChaosCluster> onClass = annotation(context.getRequiredTestClass());
        if (onClass.isPresent()) {
            start(context, onClass.get());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Optional<WithChaosCluster> onMethod = annotation(context.getRequiredTestMethod());
        if (onMethod.isPresent()) {
            start(context, onMethod.get());
        }
    }

    private static void start(ExtensionContext context, WithChaosCluster spec) throws InterruptedException {
        ChaosCluster.Builder builder = ChaosCluster.builder().nodes(spec.nodes());
        if (!spec.image().isEmpty()) {
            builder.image(spec.image());
        }
        for (String pair : spec.env()) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ExtensionConfigurationException("env entries are KEY=value: '" + pair + "'");
            }
            builder.env(pair.substring(0, eq), pair.substring(eq + 1));
        }
        if (spec.control()) {
            builder.controlPort(spec.controlPort());
        } else {
            builder.withoutControl();
        }
        ChaosCluster cluster = builder.start();
        context.getStore(NAMESPACE).put(ChaosCluster.class, cluster);
        if (spec.control() && spec.awaitConverged() && cluster.isCohortImage()) {
            cluster.awaitConverged(CONVERGE_BOUND);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ChaosCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ChaosCluster cluster = find(context);
        if (cluster == null) {
            throw new ParameterResolutionException("no chaos cluster here: annotate the class or the method with "
                    + "@WithChaosCluster (a constructor or @BeforeAll parameter needs it on the class)");
        }
        return cluster;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        ChaosCluster cluster = find(context);
        if (cluster != null) {
            StringBuilder logs = new StringBuilder("last lines of the chaos cluster's nodes (run ")
                    .append(cluster.runId())
                    .append("):");
            for (Map.Entry<String, List<String>> tail :
                    cluster.logTails(LOG_LINES).entrySet()) {
                logs.append("\n--- ").append(tail.getKey());
                tail.getValue().forEach(line -> logs.append("\n  ").append(line));
            }
            throwable.addSuppressed(new NodeLogs(logs.toString()));
        }
        throw throwable;
    }

    private static ChaosCluster find(ExtensionContext context) {
        for (Optional<ExtensionContext> at = Optional.of(context);
                at.isPresent();
                at = at.get().getParent()) {
            ChaosCluster cluster = at.get().getStore(NAMESPACE).get(ChaosCluster.class, ChaosCluster.class);
            if (cluster != null) {
                return cluster;
            }
        }
        return null;
    }

    private static Optional<WithChaosCluster> annotation(AnnotatedElement element) {
        return Optional.ofNullable(element.getAnnotation(WithChaosCluster.class));
    }

    /** The nodes' output, attached to a failed test. */
    static final class NodeLogs extends Exception {
        private static final long serialVersionUID = 1L;

        NodeLogs(String logs) {
            super(logs, null, false, false);
        }
    }
}
