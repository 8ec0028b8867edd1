package io.cohort.node.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.sim.SimMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AgentAndTaskTest {

    private static final Duration BOUND = Duration.ofSeconds(5);

    private final ProcessRuntime runtime =
            new ProcessRuntime(new ProcessTable(new NodeId("local", 1)), new SimMetrics());

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void anAgentSerialisesUpdatesFromManyThreads() throws Exception {
        Agent<List<Integer>> agent = Agent.start(runtime, ArrayList::new);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            int base = t * 100;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 100; i++) {
                    int value = base + i;
                    agent.update(list -> {
                        list.add(value);
                        return list;
                    });
                }
            }));
        }
        for (Thread writer : writers) {
            writer.join(BOUND);
        }
        agent.cast(list -> {
            list.add(-1);
            return list;
        });
        int size = agent.get(List::size);
        boolean castApplied = agent.get(list -> list.contains(-1));
        assertThat(size).isEqualTo(1_001);
        assertThat(castApplied).isTrue();
        assertThat(agent.<Object>get(list -> null)).isNull();
        agent.stop();
        assertThat(runtime.isAlive(agent.pid())).isFalse();
    }

    @Test
    void aTaskReturnsItsValue() {
        TaskSupervisor tasks = TaskSupervisor.start(runtime);
        TaskSupervisor.Task<Integer> task = tasks.asyncNolink(() -> 6 * 7);
        assertThat(task.await(BOUND)).isEqualTo(new TaskSupervisor.TaskResult.Ok<>(42));
    }

    @Test
    void aFailingTaskIsAResultAndNeverTakesItsCallerDown() throws Exception {
        TaskSupervisor tasks = TaskSupervisor.start(runtime);
        List<Object> seen = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        Pid caller = runtime.spawn(self -> {
            TaskSupervisor.Task<Object> task = tasks.asyncNolink(() -> {
                throw new IllegalStateException("task failed");
            });
            seen.add(task.await(BOUND));
            seen.add(self.receive(Duration.ofMillis(50))); // no exit signal reached us
            done.countDown();
            self.receive();
        });
        done.await();
        assertThat(seen.get(0))
                .isEqualTo(new TaskSupervisor.TaskResult.Failed<>(
                        new ExitReason.Failure(IllegalStateException.class.getName(), "task failed")));
        assertThat(seen.get(1)).isEqualTo(java.util.Optional.empty());
        assertThat(runtime.isAlive(caller)).isTrue();
    }

    @Test
    void aSlowTaskTimesOutForTheCallerAndStoppingTheSupervisorEndsIt() {
        TaskSupervisor tasks = TaskSupervisor.start(runtime);
        TaskSupervisor.Task<String> slow = tasks.asyncNolink(() -> {
            new CountDownLatch(1).await(); // never finishes by itself
            return "never";
        });
        assertThat(slow.await(Duration.ofMillis(50))).isEqualTo(new TaskSupervisor.TaskResult.TimedOut<>());
        assertThat(runtime.isAlive(slow.pid())).isTrue();
        tasks.stop();
        assertThat(runtime.isAlive(slow.pid())).isFalse();
        assertThat(slow.await(BOUND)).isInstanceOf(TaskSupervisor.TaskResult.Failed.class);
    }
}
