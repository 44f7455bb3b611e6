package dev.qis.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident and virtual memory from {@code /proc/self/status} (Linux): the JVM's heap gauges leave out
 * RocksDB's native memory, which is most of what a large state costs. In Prometheus:
 * {@code process_resident_memory_bytes}, {@code process_virtual_memory_bytes}; absent where there is no /proc.
 */
public final class ProcessMemory implements MeterBinder {
    private static final Path STATUS = Path.of("/proc/self/status");

    @Override
    public void bindTo(MeterRegistry registry) {
        if (!Files.isReadable(STATUS)) {
            return;
        }
        Gauge.builder("process.resident.memory", () -> kib("VmRSS:") * 1024.0).baseUnit("bytes")
                .description("Resident set size of this process").register(registry);
        Gauge.builder("process.virtual.memory", () -> kib("VmSize:") * 1024.0).baseUnit("bytes")
                .description("Virtual memory size of this process").register(registry);
    }

    /** A {@code kB} field of /proc/self/status, or NaN when it cannot be read. */
    public static double kib(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    return Double.parseDouble(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
