import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where one kind of thread's wall clock goes in a JFR recording of {@code qis bench}: its time off the CPU (parks,
 * monitor waits, sleeps, socket reads, summed by the first Kafka or qis frames of their stacks) beside its CPU
 * samples (with the inclusive share of each stage), and a line per second of both.
 *
 * <pre>
 * QIS_JAVA_OPTS="-XX:StartFlightRecording=filename=bench.jfr,settings=profile" ./qis bench ...
 * java docs/bench/Wall.java bench.jfr StreamThread-1 13:03:57 13:04:52
 * java docs/bench/Wall.java bench.jfr StreamThread-1-producer 13:03:57 13:04:52
 * </pre>
 *
 * THREAD is a part of the threads' names; a name ending in "producer" picks the stream threads' producers' sender
 * threads, any other the stream threads themselves. FROM and TO are UTC times of day (the progress lines' clock).
 * The profile settings record a wait from 10–20 ms on, so shorter ones are missing from the sums.
 */
public class Wall {
    private static final Set<String> WAITS = Set.of("jdk.ThreadPark", "jdk.JavaMonitorWait", "jdk.JavaMonitorEnter",
            "jdk.ThreadSleep", "jdk.SocketRead");
    private static final Set<String> SAMPLES = Set.of("jdk.ExecutionSample", "jdk.NativeMethodSample");
    private static final String[] STAGES = {"dev.qis.topology.IngestProcessor.process",
            "dev.qis.protocol.Ed25519.verify", "dev.qis.topology.PacketStateProcessor.process",
            "dev.qis.topology.DomainViewProcessor.process", "dev.qis.topology.NodeTallyProcessor.process",
            "dev.qis.store.StoreSerdes", "dev.qis.store.CompactSerdes",
            "org.apache.kafka.streams.processor.internals.RecordCollectorImpl.send",
            "org.apache.kafka.streams.processor.internals.TaskManager.commit",
            "org.apache.kafka.clients.consumer", "org.rocksdb"};

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /** The innermost qis frame, else the two innermost Kafka frames that say what is waited for. */
    private static String where(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return "?";
        }
        List<String> kafka = new ArrayList<>();
        for (RecordedFrame f : stack.getFrames()) {
            String m = name(f);
            if (m.startsWith("dev.qis.")) {
                return m;
            }
            boolean plumbing = m.contains("KafkaFutureImpl") || m.contains(".utils.") || m.contains("Timer")
                    || m.contains("ProduceRequestResult") || m.contains("ConsumerNetworkClient")
                    || m.contains("NetworkClient.poll") || m.contains("Selector");
            if (m.startsWith("org.apache.kafka.") && !plumbing && kafka.add(m) && kafka.size() == 2) {
                break;
            }
        }
        return kafka.isEmpty() ? name(stack.getFrames().get(0)) : String.join(" < ", kafka);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: java Wall.java RECORDING.jfr THREAD FROM TO   (FROM, TO: HH:MM:SS UTC)");
            System.exit(2);
        }
        String threadPart = args[1];
        boolean producers = threadPart.endsWith("producer");
        LocalTime from = LocalTime.parse(args[2]);
        LocalTime to = LocalTime.parse(args[3]);
        Map<String, Double> waited = new TreeMap<>();
        Map<String, Integer> cpu = new TreeMap<>();
        Map<String, Integer> stages = new TreeMap<>();
        TreeMap<Long, double[]> perSecond = new TreeMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            RecordedThread thread;
            if (SAMPLES.contains(type)) {
                thread = e.getThread("sampledThread");
            } else if (WAITS.contains(type)) {
                thread = e.getThread();
            } else {
                continue;
            }
            String n = thread == null ? null : thread.getJavaName();
            if (n == null || !n.contains(threadPart) || n.endsWith("producer") != producers) {
                continue;
            }
            LocalTime at = LocalTime.ofInstant(e.getStartTime(), ZoneOffset.UTC);
            if (at.isBefore(from) || at.isAfter(to)) {
                continue;
            }
            double[] row = perSecond.computeIfAbsent(e.getStartTime().getEpochSecond(), k -> new double[2]);
            if (type.equals("jdk.ExecutionSample")) {
                samples++;
                row[0]++;
                cpu.merge(where(e.getStackTrace()), 1, Integer::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    for (String stage : STAGES) {
                        if (name(f).startsWith(stage) && seen.add(stage)) {
                            stages.merge(stage, 1, Integer::sum);
                        }
                    }
                }
            } else if (WAITS.contains(type)) {
                double ms = e.getDuration().toNanos() / 1e6;
                waited.merge(type.substring(4) + " " + where(e.getStackTrace()), ms, Double::sum);
                row[1] += ms;
            }
        }
        System.out.println("waited, ms summed, by kind and where:");
        waited.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).limit(20)
                .forEach(x -> System.out.printf("  %9.0f  %s%n", x.getValue(), x.getKey()));
        System.out.println("cpu samples: " + samples + "; inclusive share of each stage:");
        for (String stage : STAGES) {
            System.out.printf("  %5.1f %%  %s%n", 100.0 * stages.getOrDefault(stage, 0) / Math.max(1, samples), stage);
        }
        System.out.println("cpu samples by where they were:");
        cpu.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(15)
                .forEach(x -> System.out.printf("  %6d  %s%n", x.getValue(), x.getKey()));
        System.out.println("per second: cpu samples, ms waited");
        perSecond.forEach((second, row) -> System.out.printf("  %s  %3.0f %6.0f%n",
                LocalTime.ofInstant(Instant.ofEpochSecond(second), ZoneOffset.UTC), row[0], row[1]));
    }
}
