package io.cohort.chaos.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {

    private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");

    private static FaultSchedule schedule(long seed) {
        return FaultSchedule.generate(seed, NODES, Duration.ofSeconds(120), FaultSchedule.Options.defaults());
    }

    @Test
    void theSameSeedGivesTheSameSchedule() {
        for (long seed = 0; seed < 50; seed++) {
            assertThat(schedule(seed)).isEqualTo(schedule(seed));
            assertThat(schedule(seed).toText()).isEqualTo(schedule(seed).toText());
        }
        assertThat(schedule(1).steps()).isNotEqualTo(schedule(2).steps());
    }

    @Test
    void everyFaultIsUndoneBeforeTheEndAndStepsStayInOrder() {
        for (long seed = 0; seed < 200; seed++) {
            FaultSchedule schedule = schedule(seed);
            Map<String, Integer> open = new HashMap<>();
            long last = -1;
            for (FaultSchedule.Step step : schedule.steps()) {
                assertThat(step.atMs()).isBetween(last, schedule.length().toMillis());
                last = step.atMs();
                switch (step.fault()) {
                    case Fault.Kill kill -> open.merge("down " + kill.node(), 1, Integer::sum);
                    case Fault.Restart restart -> open.merge("down " + restart.node(), -1, Integer::sum);
                    case Fault.Pause pause -> open.merge("paused " + pause.node(), 1, Integer::sum);
                    case Fault.Resume resume -> open.merge("paused " + resume.node(), -1, Integer::sum);
                    case Fault.Partition partition -> open.merge("cut", 1, Integer::sum);
                    case Fault.Heal heal -> open.merge("cut", -1, Integer::sum);
                    case Fault.Lossy lossy -> open.merge("links", 1, Integer::sum);
                    case Fault.Slow slow -> open.merge("links", 1, Integer::sum);
                    case Fault.ClearLinks clear -> open.merge("links", -1, Integer::sum);
                }
                assertThat(open.values())
                        .as("one fault at a time, seed %d", seed)
                        .allMatch(n -> n == 0 || n == 1);
            }
            assertThat(open.values()).as("all undone, seed %d", seed).allMatch(n -> n == 0);
            assertThat(schedule.faultCount()).isPositive();
        }
    }

    @Test
    void onlyTheChosenKindsAreUsed() {
        FaultSchedule.Options killOnly =
                FaultSchedule.Options.defaults().withKinds(EnumSet.of(FaultSchedule.Kind.KILL));
        FaultSchedule schedule = FaultSchedule.generate(3, NODES, Duration.ofSeconds(60), killOnly);
        assertThat(schedule.steps()).extracting(step -> step.fault().kind()).containsOnly("kill", "restart");
        FaultSchedule none = FaultSchedule.generate(
                3,
                NODES,
                Duration.ofSeconds(60),
                FaultSchedule.Options.defaults().withKinds(EnumSet.noneOf(FaultSchedule.Kind.class)));
        assertThat(none.steps()).isEmpty();
    }
}
