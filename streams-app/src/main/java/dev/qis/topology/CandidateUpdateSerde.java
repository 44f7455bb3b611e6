package dev.qis.topology;

import dev.qis.store.Candidate;
import dev.qis.store.StoreSerdes;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The domain view's input on the by-domain repartition topic: one byte for {@code first} (0 or 1), then the
 * candidate in its compact binary form (which starts with its own version byte).
 */
final class CandidateUpdateSerde {
    private CandidateUpdateSerde() {
    }

    static Serde<PacketOutput.CandidateUpdate> serde() {
        Serde<Candidate> candidate = StoreSerdes.candidate();
        Serializer<PacketOutput.CandidateUpdate> ser = (topic, update) -> {
            if (update == null) {
                return null;
            }
            byte[] c = candidate.serializer().serialize(topic, update.candidate());
            byte[] out = new byte[c.length + 1];
            out[0] = (byte) (update.first() ? 1 : 0);
            System.arraycopy(c, 0, out, 1, c.length);
            return out;
        };
        Deserializer<PacketOutput.CandidateUpdate> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length < 2 || (bytes[0] != 0 && bytes[0] != 1)) {
                throw new SerializationException("not a CandidateUpdate (" + bytes.length + " bytes): "
                        + (bytes.length < 2 ? "too short" : "first flag " + bytes[0]));
            }
            Candidate c = candidate.deserializer().deserialize(topic, Arrays.copyOfRange(bytes, 1, bytes.length));
            return new PacketOutput.CandidateUpdate(c, bytes[0] == 1);
        };
        return Serdes.serdeFrom(ser, de);
    }
}
