package io.cohort.node.sim;

import java.time.Duration;

/**
 * What a simulated cluster's network and failure detection look like. The defaults model the production JGroups
 * stack on a LAN: sub-millisecond links, a crashed node noticed in milliseconds (its closed socket), a hung or
 * partitioned one after the failure-detection timeout, merges a few seconds after connectivity returns.
 *
 * @param seed the seed every random choice of the simulation derives from
 * @param minDelayNs smallest one-way delay of a transmission
 * @param maxDelayNs largest one-way delay; delays are uniform in between, which reorders transmissions
 * @param lossRate probability that one transmission is lost (the reliable channel retransmits it)
 * @param duplicateRate probability that one transmission arrives twice (the reliable channel drops the copy)
 * @param retransmitNs how long a sender waits for an acknowledgement before sending unacknowledged messages again
 * @param crashDetectNs how long until the members of a crashed node's view notice it (FD_SOCK2's closed socket)
 * @param suspectTimeoutNs how long a link must stay down before its ends leave each other's view (FD_ALL3 timeout
 *     plus verification)
 * @param mergeIntervalNs how often separate views that can reach each other are merged (MERGE3); each check comes
 *     after a random time between half of this and all of it
 * @param joinDelayNs how long a starting node takes to discover the cluster and be admitted
 * @param leaveDelayNs how long a graceful leave takes to reach the other members
 * @param maxClockSkewNs each node's wall clock is off by a random amount up to this, either way
 * @param maxClockDriftPpm each node's clock runs fast or slow by a random rate up to this (parts per million)
 */
public record SimConfig(
        long seed,
        long minDelayNs,
        long maxDelayNs,
        double lossRate,
        double duplicateRate,
        long retransmitNs,
        long crashDetectNs,
        long suspectTimeoutNs,
        long mergeIntervalNs,
        long joinDelayNs,
        long leaveDelayNs,
        long maxClockSkewNs,
        int maxClockDriftPpm) {

    public SimConfig {
        require(minDelayNs >= 0 && maxDelayNs >= minDelayNs, "need 0 <= minDelayNs <= maxDelayNs");
        require(lossRate >= 0 && lossRate < 1, "lossRate must be in [0, 1)");
        require(duplicateRate >= 0 && duplicateRate < 1, "duplicateRate must be in [0, 1)");
        require(retransmitNs > 0, "retransmitNs must be > 0");
        require(crashDetectNs > 0 && suspectTimeoutNs > 0, "detection times must be > 0");
        require(mergeIntervalNs > 0 && joinDelayNs > 0 && leaveDelayNs > 0, "membership delays must be > 0");
        require(maxClockSkewNs >= 0 && maxClockDriftPpm >= 0 && maxClockDriftPpm < 100_000, "bad clock settings");
    }

    /** The LAN-like defaults described above, with the given seed. */
    public static SimConfig defaults(long seed) {
        return new SimConfig(
                seed, 100_000, // 0.1 ms
                600_000, // 0.6 ms
                0.0, 0.0, ms(20), ms(10), ms(3_500), ms(2_000), ms(20), ms(5), ms(50), 100);
    }

    /** A hostile network: loss, duplication and wide jitter, on top of the defaults. */
    public static SimConfig lossy(long seed) {
        return defaults(seed).withNetwork(50_000, ms(5), 0.05, 0.02);
    }

    public SimConfig withSeed(long newSeed) {
        return new SimConfig(
                newSeed,
                minDelayNs,
                maxDelayNs,
                lossRate,
                duplicateRate,
                retransmitNs,
                crashDetectNs,
                suspectTimeoutNs,
                mergeIntervalNs,
                joinDelayNs,
                leaveDelayNs,
                maxClockSkewNs,
                maxClockDriftPpm);
    }

    public SimConfig withNetwork(long newMinDelayNs, long newMaxDelayNs, double newLossRate, double newDupRate) {
        return new SimConfig(
                seed,
                newMinDelayNs,
                newMaxDelayNs,
                newLossRate,
                newDupRate,
                retransmitNs,
                crashDetectNs,
                suspectTimeoutNs,
                mergeIntervalNs,
                joinDelayNs,
                leaveDelayNs,
                maxClockSkewNs,
                maxClockDriftPpm);
    }

    public SimConfig withFailureDetection(Duration crashDetect, Duration suspectTimeout, Duration mergeInterval) {
        return new SimConfig(
                seed,
                minDelayNs,
                maxDelayNs,
                lossRate,
                duplicateRate,
                retransmitNs,
                crashDetect.toNanos(),
                suspectTimeout.toNanos(),
                mergeInterval.toNanos(),
                joinDelayNs,
                leaveDelayNs,
                maxClockSkewNs,
                maxClockDriftPpm);
    }

    static long ms(long millis) {
        return millis * 1_000_000L;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
