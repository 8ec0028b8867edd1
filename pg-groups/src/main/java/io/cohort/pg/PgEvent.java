package io.cohort.pg;

import io.cohort.node.Pid;
import java.util.List;

/**
 * What a scope or group monitor receives in its mailbox when membership changes (OTP 25.1's
 * {@code {Ref, join | leave, Group, Pids}}).
 *
 * @param ref the reference {@code monitorScope} or {@code monitor} returned
 */
public record PgEvent(long ref, Kind kind, String group, List<Pid> pids) {

    public enum Kind {
        JOIN,
        LEAVE
    }
}
