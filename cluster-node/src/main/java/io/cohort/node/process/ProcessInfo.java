package io.cohort.node.process;

import io.cohort.node.Pid;
import java.util.List;

/**
 * A live process as the runtime sees it (Erlang's {@code process_info}).
 *
 * @param threadState the state of its virtual thread ({@code WAITING} while it blocks in receive)
 */
public record ProcessInfo(
        Pid pid, List<String> names, int mailboxSize, boolean trapsExits, List<Pid> links, String threadState) {}
