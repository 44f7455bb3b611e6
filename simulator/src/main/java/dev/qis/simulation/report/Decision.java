package dev.qis.simulation.report;

import dev.qis.simulation.network.OutcomeNetwork.Recommendation;
import dev.qis.simulation.world.Configuration;
import java.util.List;

/**
 * What an honest node ran in one round; the recommendation it had (null on no evidence) and the grid
 * configuration it stands for (null when it names an unknown method); whether the node applied it; the
 * packets it cites: the recommendation's or the exploration alternative's, whichever it ran, else none.
 */
public record Decision(Configuration config, Recommendation recommendation, Configuration recommended, boolean applied,
                List<String> cited) {
}
