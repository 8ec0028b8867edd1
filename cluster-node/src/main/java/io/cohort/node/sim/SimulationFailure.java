package io.cohort.node.sim;

/**
 * A simulation did not reach its goal or broke an invariant. The message ends with the one-line repro
 * ({@code seed=… nodes=… ticks=…}) and the last events of the trace, so the failure can be replayed exactly.
 */
public final class SimulationFailure extends AssertionError {

    private final String repro;

    SimulationFailure(String what, String repro, String recentTrace, Throwable cause) {
        super(what + "\n  repro: " + repro + "\n  last events:\n" + recentTrace, cause);
        this.repro = repro;
    }

    /** The one-line repro, e.g. {@code seed=42 nodes=3 ticks=1234}. */
    public String repro() {
        return repro;
    }
}
