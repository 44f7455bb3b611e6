package dev.qis.fidelity;

/**
 * One measurement of a packet's configuration: the author's claim or another node's reproduction.
 *
 * @param nodeId who measured
 * @param gain   the relative gain measured
 * @param weight how much it counts, in eval-sample equivalents, every factor applied (CURATE or the report's eval
 *               size, the measurer's trust, decay)
 */
public record Measurement(String nodeId, double gain, double weight) {
}
