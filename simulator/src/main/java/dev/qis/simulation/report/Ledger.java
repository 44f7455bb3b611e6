package dev.qis.simulation.report;

import dev.qis.protocol.SignedPacket;
import dev.qis.simulation.actors.Role;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.ConfigurationGrid;
import dev.qis.simulation.world.Domain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the ecosystem has published and the network should have accepted: each packet's author, configuration,
 * claim and true gain. It stands in for what a node would read from its domain topic, and feeds the naive-
 * averaging counterfactual.
 */
public final class Ledger {
    /** One accepted packet. */
    public record Entry(SignedPacket packet, int author, Role role, Domain domain, String family,
            Configuration config, double claimedGain, int round) {
        public String id() {
            return packet.id();
        }
    }

    private final Map<String, Entry> byId = new LinkedHashMap<>();
    private final Map<String, List<Entry>> byDomain = new HashMap<>();
    private final Map<String, NaiveAveraging> naive = new HashMap<>();

    public void add(Entry e) {
        if (byId.putIfAbsent(e.id(), e) != null) {
            return;
        }
        byDomain.computeIfAbsent(e.domain().name(), k -> new ArrayList<>()).add(e);
        naive.computeIfAbsent(e.domain().name(), k -> new NaiveAveraging()).add(e.config(), e.claimedGain());
    }

    public Optional<Entry> get(String packetId) {
        return Optional.ofNullable(byId.get(packetId));
    }

    public List<Entry> inDomain(String domain) {
        return byDomain.getOrDefault(domain, List.of());
    }

    public int size() {
        return byId.size();
    }

    public java.util.Collection<Entry> all() {
        return byId.values();
    }

    /** The configuration with the best unweighted mean claim among all packets so far in the domain. */
    public Optional<Configuration> naivePick(Domain domain, ConfigurationGrid grid) {
        NaiveAveraging n = naive.get(domain.name());
        return n == null ? Optional.empty() : n.pick(grid);
    }
}
