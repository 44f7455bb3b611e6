package dev.qis.protocol;

import dev.qis.protocol.avro.NodeKey;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.Rejection;
import dev.qis.protocol.avro.ValidationReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Every schema version the protocol has shipped, so that a reader decodes any packet ever published without a
 * registry. Shipped versions live as self-contained JSON under {@code dev/qis/protocol/shipped/}, listed in
 * {@code index.txt}; a schema change must add its new version there (a test checks it).
 */
public final class ProtocolSchemas {
    private static final String SHIPPED = "/dev/qis/protocol/shipped/";
    private static final List<Schema> SHIPPED_SCHEMAS = Collections.unmodifiableList(loadShipped());
    private static final SchemaStore.Cache STORE = buildStore();

    private ProtocolSchemas() {
    }

    /** The schemas the current code writes. */
    public static List<Schema> current() {
        return List.of(OutcomePacket.getClassSchema(), ValidationReport.getClassSchema(),
                NodeKey.getClassSchema(), Rejection.getClassSchema());
    }

    /** Every version ever shipped, oldest first. */
    public static List<Schema> shipped() {
        return SHIPPED_SCHEMAS;
    }

    /** A schema store that resolves any shipped writer schema by its CRC-64-AVRO fingerprint. */
    public static SchemaStore store() {
        return STORE;
    }

    private static SchemaStore.Cache buildStore() {
        SchemaStore.Cache cache = new SchemaStore.Cache();
        SHIPPED_SCHEMAS.forEach(cache::addSchema);
        current().forEach(cache::addSchema);
        return cache;
    }

    private static List<Schema> loadShipped() {
        List<Schema> schemas = new ArrayList<>();
        try (InputStream index = ProtocolSchemas.class.getResourceAsStream(SHIPPED + "index.txt")) {
            if (index == null) {
                throw new IllegalStateException("missing resource " + SHIPPED + "index.txt");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String name = line.strip();
                if (name.isEmpty() || name.startsWith("#")) {
                    continue;
                }
                try (InputStream in = ProtocolSchemas.class.getResourceAsStream(SHIPPED + name)) {
                    if (in == null) {
                        throw new IllegalStateException("index.txt lists " + name + " but it is not on the classpath");
                    }
                    schemas.add(new Schema.Parser().parse(in));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped schemas", e);
        }
        return schemas;
    }
}
