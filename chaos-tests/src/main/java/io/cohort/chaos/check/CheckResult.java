package io.cohort.chaos.check;

import java.util.List;

/**
 * The verdict of one checker.
 *
 * @param check its name
 * @param proves what it holds the cluster to, in one sentence
 * @param violations what broke it; empty when it holds
 */
public record CheckResult(String check, String proves, List<Violation> violations) {

    /** Violations kept per check: enough to see the pattern, not a wall of text. */
    public static final int VIOLATIONS_KEPT = 50;

    public CheckResult {
        violations =
                List.copyOf(violations.size() > VIOLATIONS_KEPT ? violations.subList(0, VIOLATIONS_KEPT) : violations);
    }

    public boolean passed() {
        return violations.isEmpty();
    }
}
