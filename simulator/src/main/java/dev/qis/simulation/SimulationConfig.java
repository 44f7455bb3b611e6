package dev.qis.simulation;

import dev.qis.errors.Reason;
import java.util.List;

/**
 * Everything that shapes one simulated ecosystem. The same config and seed give the same decisions, claims
 * and votes (and, with a fixed clock, the same packet bytes).
 *
 * @param nodes        actors in the ecosystem (honest and Byzantine; a Sybil actor counts once)
 * @param domains      distinct tasks; popularity falls off as a Zipf law over their rank
 * @param rounds       runs per node; round 0 has no evidence to ask for
 * @param byzantineShare share of the actors that are Byzantine
 * @param sybilKeys    identities the single Sybil actor registers (0: no Sybil actor)
 * @param epsilon      probability that an honest node explores instead of applying a recommendation
 * @param seed         the seed of every random choice, keys included
 * @param zipfExponent s in popularity(rank) ∝ rank^-s
 * @param topK         k of the top-k queries that measure Byzantine share
 * @param domainPrefix names the domains {@code <prefix>-dNN}, so runs against one cluster can be told apart
 * @param families     base model families the nodes fine-tune
 * @param configSpace  the configurations nodes choose from: the standard grid or the large space
 * @param exploreWithAlternative an exploring node runs the network's exploration alternative when it offers one,
 *                     instead of a uniformly random configuration
 */
public record SimulationConfig(int nodes, int domains, int rounds, double byzantineShare, int sybilKeys,
        double epsilon, long seed, double zipfExponent, int topK, String domainPrefix, List<String> families,
        ConfigSpace configSpace, boolean exploreWithAlternative) {

    /** The configuration space (docs/simulation.md): a 108-point grid, or a continuous, larger space. */
    public enum ConfigSpace {
        STANDARD, LARGE;

        /** From the flag's value, {@code standard} or {@code large}. */
        public static ConfigSpace parse(String value) {
            for (ConfigSpace s : values()) {
                if (s.name().equalsIgnoreCase(value)) {
                    return s;
                }
            }
            throw new SimulationException(Reason.INVALID_OPTION,
                    "invalid --config-space: " + value + " (must be standard or large)");
        }

        public String flag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final int DEFAULT_NODES = 200;
    public static final int DEFAULT_DOMAINS = 20;
    public static final int DEFAULT_ROUNDS = 10;
    public static final double DEFAULT_BYZANTINE_SHARE = 0.1;
    public static final int DEFAULT_SYBIL_KEYS = 20;
    public static final double DEFAULT_EPSILON = 0.1;
    public static final long DEFAULT_SEED = 42;
    public static final double DEFAULT_ZIPF_EXPONENT = 1.1;
    public static final int DEFAULT_TOP_K = 10;
    public static final String DEFAULT_DOMAIN_PREFIX = "sim";
    /** The base model families a world can have, in the order {@code --families N} takes them. */
    public static final List<String> FAMILY_NAMES = List.of("llama-3-8b", "mistral-7b", "qwen2-7b", "gemma-2-9b",
            "phi-3-mini", "falcon-7b", "olmo-7b", "yi-6b");
    public static final int DEFAULT_FAMILY_COUNT = 3;
    public static final List<String> DEFAULT_FAMILIES = FAMILY_NAMES.subList(0, DEFAULT_FAMILY_COUNT);

    /** The settings in the standard configuration space. */
    public SimulationConfig(int nodes, int domains, int rounds, double byzantineShare, int sybilKeys, double epsilon,
            long seed, double zipfExponent, int topK, String domainPrefix, List<String> families) {
        this(nodes, domains, rounds, byzantineShare, sybilKeys, epsilon, seed, zipfExponent, topK, domainPrefix,
                families, ConfigSpace.STANDARD, false);
    }

    /** The settings with uniformly random exploration. */
    public SimulationConfig(int nodes, int domains, int rounds, double byzantineShare, int sybilKeys, double epsilon,
            long seed, double zipfExponent, int topK, String domainPrefix, List<String> families,
            ConfigSpace configSpace) {
        this(nodes, domains, rounds, byzantineShare, sybilKeys, epsilon, seed, zipfExponent, topK, domainPrefix,
                families, configSpace, false);
    }

    public SimulationConfig {
        require(nodes >= 2, "nodes", nodes, "at least 2");
        require(domains >= 1 && domains <= 999, "domains", domains, "1-999");
        require(rounds >= 1, "rounds", rounds, "at least 1");
        require(byzantineShare >= 0 && byzantineShare < 1, "byzantine-share", byzantineShare, "in [0, 1)");
        require(sybilKeys >= 0 && sybilKeys <= 10_000, "sybil-keys", sybilKeys, "0-10000");
        require(epsilon >= 0 && epsilon <= 1, "epsilon", epsilon, "in [0, 1]");
        require(zipfExponent >= 0 && zipfExponent <= 5, "zipf-exponent", zipfExponent, "in [0, 5]");
        require(topK >= 1 && topK <= 100, "top-k", topK, "1-100");
        require(domainPrefix != null && domainPrefix.matches("[a-z0-9][a-z0-9._-]{0,24}"), "domain-prefix",
                domainPrefix, "1-25 characters of [a-z0-9._-]");
        require(families != null && !families.isEmpty(), "families", families, "at least one");
        families = List.copyOf(families);
        require(configSpace != null, "config-space", configSpace, "standard or large");
    }

    /** The first {@code count} of {@link #FAMILY_NAMES}: what {@code --families N} means. */
    public static List<String> families(int count) {
        if (count < 1 || count > FAMILY_NAMES.size()) {
            throw new SimulationException(Reason.INVALID_OPTION,
                    "invalid --families: " + count + " (must be 1-" + FAMILY_NAMES.size() + ")");
        }
        return FAMILY_NAMES.subList(0, count);
    }

    public static SimulationConfig defaults() {
        return new SimulationConfig(DEFAULT_NODES, DEFAULT_DOMAINS, DEFAULT_ROUNDS, DEFAULT_BYZANTINE_SHARE,
                DEFAULT_SYBIL_KEYS, DEFAULT_EPSILON, DEFAULT_SEED, DEFAULT_ZIPF_EXPONENT, DEFAULT_TOP_K,
                DEFAULT_DOMAIN_PREFIX, DEFAULT_FAMILIES, ConfigSpace.STANDARD, false);
    }

    public SimulationConfig withNodes(int n) {
        return new SimulationConfig(n, domains, rounds, byzantineShare, sybilKeys, epsilon, seed, zipfExponent, topK,
                domainPrefix, families, configSpace, exploreWithAlternative);
    }

    public SimulationConfig withDomains(int d) {
        return new SimulationConfig(nodes, d, rounds, byzantineShare, sybilKeys, epsilon, seed, zipfExponent, topK,
                domainPrefix, families, configSpace, exploreWithAlternative);
    }

    public SimulationConfig withRounds(int r) {
        return new SimulationConfig(nodes, domains, r, byzantineShare, sybilKeys, epsilon, seed, zipfExponent, topK,
                domainPrefix, families, configSpace, exploreWithAlternative);
    }

    public SimulationConfig withByzantine(double share, int sybils) {
        return new SimulationConfig(nodes, domains, rounds, share, sybils, epsilon, seed, zipfExponent, topK,
                domainPrefix, families, configSpace, exploreWithAlternative);
    }

    public SimulationConfig withEpsilon(double e) {
        return new SimulationConfig(nodes, domains, rounds, byzantineShare, sybilKeys, e, seed, zipfExponent, topK,
                domainPrefix, families, configSpace, exploreWithAlternative);
    }

    public SimulationConfig withSeed(long s) {
        return new SimulationConfig(nodes, domains, rounds, byzantineShare, sybilKeys, epsilon, s, zipfExponent, topK,
                domainPrefix, families, configSpace, exploreWithAlternative);
    }

    public SimulationConfig withFamilies(List<String> f) {
        return new SimulationConfig(nodes, domains, rounds, byzantineShare, sybilKeys, epsilon, seed, zipfExponent, topK,
                domainPrefix, f, configSpace, exploreWithAlternative);
    }

    public SimulationConfig withConfigSpace(ConfigSpace space) {
        return new SimulationConfig(nodes, domains, rounds, byzantineShare, sybilKeys, epsilon, seed, zipfExponent, topK,
                domainPrefix, families, space, exploreWithAlternative);
    }

    public SimulationConfig withExploreWithAlternative(boolean alternative) {
        return new SimulationConfig(nodes, domains, rounds, byzantineShare, sybilKeys, epsilon, seed, zipfExponent, topK,
                domainPrefix, families, configSpace, alternative);
    }

    /** The name of the domain at a popularity rank (1 = most popular). */
    public String domainName(int rank) {
        return domainPrefix + "-d" + String.format("%02d", rank);
    }

    private static void require(boolean ok, String field, Object value, String rule) {
        if (!ok) {
            throw new SimulationException(Reason.INVALID_OPTION,
                    "invalid --" + field + ": " + value + " (must be " + rule + ")");
        }
    }
}
