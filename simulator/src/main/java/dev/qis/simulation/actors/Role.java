package dev.qis.simulation.actors;

/** How an actor behaves. */
public enum Role {
    /** Asks for a recommendation, applies it (or explores), publishes what it observed and votes on what it used. */
    HONEST,
    /** Publishes validly signed packets whose claimed gain is far above what its configuration gives. */
    INFLATOR,
    /** Publishes packets under an honest node's id, signed with its own key: the registered key does not match. */
    FORGER,
    /** Re-sends published packets byte for byte, and with a field changed but the id and signature kept. */
    REPLAYER,
    /** One actor with many fresh keys, all publishing inflated claims into one rare domain and vouching for each other. */
    SYBIL;

    public boolean byzantine() {
        return this != HONEST;
    }
}
