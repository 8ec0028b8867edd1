package io.cohort.pg;

import io.cohort.node.Pid;
import java.util.List;
import java.util.Map;

/**
 * What a new scope or group monitor gets back: the reference its {@link PgEvent}s will carry, and the content it
 * starts from (every event after it is a change to this content).
 */
public record PgSubscription(long ref, Map<String, List<Pid>> current) {}
