package dev.qis.simulation.world;

import java.util.List;

/**
 * One task of the simulated ecosystem.
 *
 * @param name          the task, the packet's domain
 * @param rank          popularity rank, 1 = most popular
 * @param popularity    probability that a node works in this domain
 * @param rare          in the bottom half by popularity
 * @param tags          context tags every packet of this domain carries
 * @param baselineScore the score before fine-tuning (gains are relative to it)
 * @param effects       the hidden truth
 */
public record Domain(String name, int rank, double popularity, boolean rare, List<String> tags, double baselineScore,
        TrueEffects effects) {
    public Domain {
        tags = List.copyOf(tags);
    }
}
