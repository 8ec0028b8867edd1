package io.cohort.chaos.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.chaos.fault.Fault;
import io.cohort.chaos.fault.Link;
import io.cohort.chaos.fault.NetworkState;
import io.cohort.chaos.fault.Partitions;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class NetworkRulesTest {

    private static final Map<String, String> IPS = Map.of("n1", "10.9.8.10", "n2", "10.9.8.11", "n3", "10.9.8.12");

    @Test
    void aOneWayCutIsADropRuleOnTheReceiverOnly() {
        NetworkState state = NetworkState.HEALTHY.after(Partitions.oneWay(List.of("n1"), List.of("n2")));
        assertThat(NetworkRules.script(state, "n2", "10.9.8.11", IPS)).contains("-s 10.9.8.10 -j DROP");
        assertThat(NetworkRules.script(state, "n1", "10.9.8.10", IPS)).doesNotContain("-j DROP\n$I");
        assertThat(NetworkRules.script(state, "n1", "10.9.8.10", IPS)).doesNotContain("-s 10.9.8.11 -j DROP");
    }

    @Test
    void lossyAndSlowLinksAndTheirClearing() {
        NetworkState state = NetworkState.HEALTHY
                .after(new Fault.Lossy(new TreeSet<>(List.of(new Link("n3", "n1"))), 0.2))
                .after(new Fault.Slow("n1"));
        String script = NetworkRules.script(state, "n1", "10.9.8.10", IPS);
        assertThat(script)
                .contains("-s 10.9.8.12 -m statistic --mode random --probability 0.2000 -j DROP")
                .contains("netem delay")
                .contains("tbf rate");
        String cleared = NetworkRules.script(state.after(new Fault.ClearLinks()), "n1", "10.9.8.10", IPS);
        assertThat(cleared).contains("qdisc del").contains("-F COHORT-CHAOS").doesNotContain("statistic");
    }
}
