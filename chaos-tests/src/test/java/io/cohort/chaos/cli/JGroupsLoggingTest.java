package io.cohort.chaos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.jgroups.JChannel;
import org.jgroups.logging.JDKLogImpl;
import org.jgroups.logging.LogFactory;
import org.junit.jupiter.api.Test;

/**
 * This module's class path is the demo's and the benchmarks': it holds the SLF4J API (from Testcontainers) and no
 * binding. JGroups' warnings must still reach a log, not SLF4J's no-operation logger.
 */
class JGroupsLoggingTest {

    @Test
    void jgroupsLogsThroughJavaUtilLoggingWhenSlf4jHasNoBinding() throws Exception {
        assertThat(LogFactory.IS_SLF4J_AVAILABLE)
                .as("the premise: the SLF4J API is here")
                .isTrue();
        Class.forName("io.cohort.node.jgroups.JGroupsControlPlane"); // its initialisation routes JGroups' logging
        assertThat(LogFactory.getLog(JChannel.class)).isInstanceOf(JDKLogImpl.class);
    }
}
