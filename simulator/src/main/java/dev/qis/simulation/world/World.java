package dev.qis.simulation.world;

import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The simulated ecosystem's ground truth: its domains (Zipf-popular, each with hidden true effects) and families. */
public final class World {
    /** Family × method offset shared across domains: a family's taste for a method. */
    static final double FAMILY_SD = 0.004;
    static final List<String> DOMAIN_TAGS = List.of("sim", "en");
    static final double BASELINE_MIN = 0.40;
    static final double BASELINE_MAX = 0.70;

    private final ConfigurationGrid grid;
    private final List<String> families;
    private final List<Domain> domains;
    private final Map<String, Domain> byName = new LinkedHashMap<>();

    public World(ConfigurationGrid grid, List<String> families, List<Domain> domains) {
        this.grid = grid;
        this.families = List.copyOf(families);
        this.domains = List.copyOf(domains);
        for (Domain d : domains) {
            byName.put(d.name(), d);
        }
    }

    public static World generate(SimulationConfig config, SplittableRandom rng) {
        ConfigurationGrid grid = config.configSpace() == SimulationConfig.ConfigSpace.LARGE ? ConfigurationGrid.large()
                : ConfigurationGrid.standard();
        List<String> families = config.families();
        double[][] familyOffsets = new double[families.size()][ConfigurationGrid.METHODS.size()];
        for (double[] row : familyOffsets) {
            for (int m = 0; m < row.length; m++) {
                row[m] = TrueEffects.gaussian(rng) * FAMILY_SD;
            }
        }
        double[] popularity = zipf(config.domains(), config.zipfExponent());
        List<Domain> domains = new ArrayList<>();
        for (int rank = 1; rank <= config.domains(); rank++) {
            double baseline = BASELINE_MIN + rng.nextDouble() * (BASELINE_MAX - BASELINE_MIN);
            domains.add(new Domain(config.domainName(rank), rank, popularity[rank - 1], isRare(rank, config.domains()),
                    DOMAIN_TAGS, baseline, TrueEffects.generate(grid, families, familyOffsets, rng)));
        }
        return new World(grid, families, domains);
    }

    /** Popularity by rank: {@code rank^-s}, normalized to sum to 1. */
    public static double[] zipf(int count, double exponent) {
        double[] p = new double[count];
        double sum = 0;
        for (int i = 0; i < count; i++) {
            p[i] = Math.pow(i + 1, -exponent);
            sum += p[i];
        }
        for (int i = 0; i < count; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The bottom half by popularity (ranks strictly after the middle); with one domain, none is rare. */
    public static boolean isRare(int rank, int domainCount) {
        return rank > (domainCount + 1) / 2;
    }

    /** Draws a domain with probability equal to its popularity. */
    public Domain drawDomain(SplittableRandom rng) {
        double u = rng.nextDouble();
        double cumulative = 0;
        for (Domain d : domains) {
            cumulative += d.popularity();
            if (u < cumulative) {
                return d;
            }
        }
        return domains.get(domains.size() - 1);
    }

    public ConfigurationGrid grid() {
        return grid;
    }

    public List<String> families() {
        return families;
    }

    public List<Domain> domains() {
        return domains;
    }

    public Domain domain(String name) {
        Domain d = byName.get(name);
        if (d == null) {
            throw new SimulationException("not a domain of this world: " + name);
        }
        return d;
    }
}
