package io.cohort.chaos.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import io.cohort.chaos.fault.Partitions;
import io.cohort.chaos.junit.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on an image that is not Cohort's and has no network tools: a static busybox that only sleeps. Partitions
 * must still cut traffic (iptables runs in a sidecar sharing the node's namespace) and heal it, and a restart must
 * bring the container back with the partition still in force.
 */
@RequiresDocker
class UserImageIT {

    private static final String IMAGE = "cohort-chaos-test-sleeper:1";

    @Test
    void partitionsCutAndHealTrafficBetweenContainersOfAnotherImage(@TempDir Path context) throws Exception {
        Path busybox = Path.of("/bin/busybox");
        Assumptions.assumeTrue(Files.isExecutable(busybox), "needs a static busybox on this machine");
        try (Docker docker = Docker.connect()) {
            Files.copy(busybox, context.resolve("busybox"));
            Files.writeString(
                    context.resolve("Dockerfile"),
                    "FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT [\"/bin/busybox\", \"sleep\", \"3600\"]\n");
            docker.client()
                    .buildImageCmd(context.toFile())
                    .withTags(java.util.Set.of(IMAGE))
                    .exec(new BuildImageResultCallback())
                    .awaitImageId(2, TimeUnit.MINUTES);
            CohortImage.ensure(docker, CohortImage.tag(), line -> {}); // the sidecars' tools

            try (ChaosCluster cluster = ChaosCluster.builder()
                    .nodes(3)
                    .image(IMAGE)
                    .withoutControl()
                    .start()) {
                assertThat(cluster.isCohortImage()).isFalse();
                ClusterNode n1 = cluster.node("n1");
                String n2 = cluster.node("n2").ip();
                assertThat(reaches(docker, n1, n2)).isTrue();

                cluster.partition(Partitions.isolate(cluster.nodeNames(), "n2"));
                assertThat(reaches(docker, n1, n2)).isFalse();
                assertThat(n1.sidecarId).isNotNull();

                cluster.restart("n2"); // a fresh namespace: the cut must be back before anything runs
                assertThat(reaches(docker, n1, n2)).isFalse();

                cluster.heal();
                assertThat(reaches(docker, n1, n2)).isTrue();
                assertThat(cluster.logTails(5)).containsKeys("n1", "n2", "n3");
            }
        }
    }

    /** One ping from {@code from}'s container to {@code ip}, answered within two seconds. */
    private static boolean reaches(Docker docker, ClusterNode from, String ip) throws InterruptedException {
        Docker.ExecResult result = docker.exec(
                from.containerId(), Duration.ofSeconds(10), "/bin/busybox", "ping", "-c", "1", "-W", "2", ip);
        return result.ok();
    }
}
