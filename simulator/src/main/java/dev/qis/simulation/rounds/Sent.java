package dev.qis.simulation.rounds;

import dev.qis.simulation.actors.PacketFactory;
import dev.qis.simulation.report.Ledger;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a run has sent: the ledger of every validly signed packet (which the network must store), and the
 * SHA-256 of every record the network must refuse (forged, tampered) or store once (exact replays).
 */
final class Sent {
    final Ledger ledger = new Ledger();
    /** SHA-256 of every packet expected to be accepted: a valid packet refused anyway is not waited for. */
    final Set<String> valid = new HashSet<>();
    final Set<String> forged = new LinkedHashSet<>();
    final Set<String> tampered = new LinkedHashSet<>();
    final Set<String> exactReplays = new LinkedHashSet<>();
    long exactReplayCount;

    void record(Ledger.Entry entry) {
        ledger.add(entry);
        valid.add(PacketFactory.sha256(entry.packet().bytes()));
    }

    /** How many of {@code sent} are in {@code seen}. */
    static long countMatched(Set<String> seen, Set<String> sent) {
        long n = 0;
        for (String h : sent) {
            if (seen.contains(h)) {
                n++;
            }
        }
        return n;
    }
}
