package dev.qis.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qis.access.TokenFile;
import dev.qis.cli.InputException;
import dev.qis.cli.LogOptions;
import dev.qis.cli.LogSetup;
import dev.qis.cli.QisCommand;
import dev.qis.client.QisApiClient;
import dev.qis.config.QisConfig;
import dev.qis.embedded.EmbeddedKafka;
import dev.qis.errors.Reason;
import dev.qis.metrics.ProcessMemory;
import dev.qis.metrics.QisMeters;
import dev.qis.protocol.Ed25519;
import dev.qis.protocol.Fingerprint;
import dev.qis.protocol.NodeDirectory;
import dev.qis.protocol.PacketId;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.Topics;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.NodeKey;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.publish.TopicLayout;
import dev.qis.publish.TopicProvisioner;
import dev.qis.server.QisServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qis bench}: loads a generated, signed federation into Kafka and measures, in one run, a plain consumer of
 * the same records (the raw anchor), a plain consumer that verifies every signature (the verification limit), the
 * stream app end to end (its {@code qis_packets_stored_total}), freshness under a sustained rate, query latencies
 * with 1 and 8 clients beside the naive router of the articles, and memory and state size.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure the stream app: ingest to stored and scored, freshness, query latency, memory.",
            "By default starts an in-process Kafka broker and an instance of the app (with --config's settings), "
                + "loads the records, reads them back with a plain consumer and a verifying consumer, then starts "
                + "the app and times it until every packet is stored and scored. Then publishes fresh packets at "
                + "--rate and times each until GET /v1/packets/{id} answers, and runs top-k, domain synthesis and "
                + "fingerprint synthesis queries with 1 and 8 clients against the app and the naive router.",
            "With --instances 1,2,3 the end-to-end phase runs once per count, a new application each time, its "
                + "instances in this process sharing its cores; the table gives each run's rate.",
            "With -b the records go to that cluster; with --api as well, to the running app behind that address "
                + "(it consumes while the records load; its /metrics counters give the end-to-end figure).",
            "The generated records are signed in parallel once and cached (--cache-dir). Progress goes to stderr, "
                + "the table to stdout, the figures as JSON to --json."})
public final class BenchCommand implements Callable<Integer> {
    private static final int QUICK_PACKETS = 2_000;
    private static final int MAX_PACKETS = 1_000_000;
    private static final int TOP_K = 10;
    private static final int MAX_FRESH_SAMPLES = 500;
    private static final long TXN_RECORDS = 10_000;
    private static final int MAX_INSTANCES = 4;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Spec
    CommandSpec spec;

    @Mixin
    LogOptions logOptions;

    @Option(names = "--packets", paramLabel = "N", description = "Packets to load (1-1000000; default 10000, "
            + "2000 with --quick).")
    Integer packets;

    @Option(names = "--quick", description = "A small run for CI: 2000 packets, 50 queries per figure, "
            + "3 s of freshness at 100 packets/s.")
    boolean quick;

    @Option(names = "--domains", defaultValue = "100", description = "Domains, packets spread over them by Zipf's "
            + "law (default ${DEFAULT-VALUE}).")
    int domains;

    @Option(names = "--nodes", defaultValue = "50", description = "Publishing nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generated data (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rate", paramLabel = "PACKETS_PER_S", description = "Sustained rate of the freshness phase "
            + "(default 200; 100 with --quick).")
    Integer rate;

    @Option(names = "--freshness-seconds", paramLabel = "S", description = "How long the freshness phase "
            + "publishes (default 10; 3 with --quick; 0 skips it).")
    Integer freshnessSeconds;

    @Option(names = "--queries", paramLabel = "Q", description = "Queries per figure (kind x clients x router; "
            + "default 2000, 50 with --quick).")
    Integer queries;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where generated data is cached "
            + "(default ~/.cache/qis).")
    Path cacheDir;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure as JSON to FILE.")
    Path jsonFile;

    @Option(names = {"-b", "--bootstrap-server"}, paramLabel = "HOST:PORT[,...]",
            description = "Load into this Kafka cluster instead of an in-process broker.")
    String bootstrapServers;

    @Option(names = "--api", paramLabel = "URL", description = "Measure the app already running at URL (with -b "
            + "its cluster) instead of starting one; its state dir is not measured.")
    URI api;

    @Option(names = "--token-file", paramLabel = "FILE", description = "With --api: a file whose first line is that "
            + "app's bearer token (default: the file $" + TokenFile.ENV + " names; none when neither is set).")
    Path tokenFile;

    @Option(names = "--instances", paramLabel = "N", split = ",", defaultValue = "1",
            description = "App instances to start, one run each in the order given (1-" + MAX_INSTANCES + "; "
                    + "default ${DEFAULT-VALUE}): e.g. 1,2,3 times the end-to-end phase with one, two and three "
                    + "instances of one application in this process, each time from the first record; freshness "
                    + "and queries then run against the first instance of the last run (with two or more, "
                    + "queries for partitions another instance holds are forwarded).")
    List<Integer> instances;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties of the app this command starts "
            + "(Kafka Streams settings such as commit.interval.ms or num.stream.threads; see deploy/README.md).")
    Path configFile;

    /** The environment; replaced in tests. */
    Map<String, String> environment = System.getenv();

    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String[]> table = new ArrayList<>();
    private PrintWriter err;
    private long lastProgress;
    private final Map<URI, QisApiClient> clients = new ConcurrentHashMap<>();

    @Override
    public Integer call() throws Exception {
        int n = packets != null ? packets : quick ? QUICK_PACKETS : 10_000;
        int queryCount = queries != null ? queries : quick ? 50 : 2_000;
        int freshRate = rate != null ? rate : quick ? 100 : 200;
        int freshSeconds = freshnessSeconds != null ? freshnessSeconds : quick ? 3 : 10;
        if (n < 1 || n > MAX_PACKETS) {
            throw new InputException(Reason.INVALID_OPTION, "--packets must be 1 to " + MAX_PACKETS + ", got " + n);
        }
        if (queryCount < 1 || freshRate < 1 || freshSeconds < 0 || domains < 1 || nodes < 2) {
            throw new InputException(Reason.INVALID_OPTION,
                    "--queries and --rate must be at least 1, --freshness-seconds at least 0, "
                    + "--domains at least 1 and --nodes at least 2");
        }
        if (instances.isEmpty() || instances.stream().anyMatch(c -> c < 1 || c > MAX_INSTANCES)) {
            throw new InputException(Reason.INVALID_OPTION,
                    "--instances must list counts of 1 to " + MAX_INSTANCES + ", got " + instances);
        }
        if (api != null && !instances.equals(List.of(1))) {
            throw new InputException(Reason.INVALID_OPTION,
                    "--instances starts app instances; with --api the app is already running");
        }
        if (api != null && bootstrapServers == null) {
            throw new InputException(Reason.INVALID_OPTION,
                    "--api needs -b: the cluster the app at " + api + " reads from");
        }
        if (api != null) {
            try {
                TokenFile.clientToken(tokenFile, environment.get(TokenFile.ENV)); // an unreadable file: exit 2 now
            } catch (TokenFile.TokenFileException e) {
                throw new InputException(Reason.FILE_UNREADABLE, "--token-file: " + e.getMessage(), e);
            }
        }
        QisConfig config = loadConfig();
        err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        err.println("qis bench: " + LogSetup.whereTheLogsAre());

        BenchData.Params params = new BenchData.Params(n, freshRate * freshSeconds, domains, nodes, seed);
        Path cache = cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".cache", "qis");
        long t0 = System.nanoTime();
        BenchData data = BenchData.loadOrGenerate(params, cache, done ->
                progress("generating and signing: %,d of %,d packets", done, params.packets() + params.fresh()));
        progress(true, "data ready in %.1f s (%s)", seconds(t0), cache.resolve(params.fileName()));
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("packets", n);
        given.put("votes", data.votes().size());
        given.put("nodes", nodes);
        given.put("domains", domains);
        given.put("seed", seed);
        given.put("queries", queryCount);
        given.put("rate", freshRate);
        given.put("freshness_seconds", freshSeconds);
        given.put("instances", instances);
        given.put("mode", api != null ? "external app" : bootstrapServers != null ? "cluster" : "embedded");
        json.put("params", given);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        machine.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        json.put("machine", machine);

        EmbeddedKafka kafka = null;
        AppRun app = null;
        try {
            String bootstrap = bootstrapServers;
            if (bootstrap == null) {
                progress(true, "starting an in-process Kafka broker...");
                kafka = EmbeddedKafka.start(1);
                bootstrap = kafka.bootstrapServers();
            }
            TopicLayout layout = config.topicLayout();
            int threads = Integer.parseInt(config.streamsProperties()
                    .getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1"));
            createTopics(bootstrap, layout);
            String stored = "qis_packets_stored_total";
            double storedBefore = 0;
            if (api != null) {
                storedBefore = scrape(api, stored, null).orElseThrow(() -> new InputException(Reason.INVALID_OPTION, api
                        + "/metrics has no " + stored + ": is it a qis serve instance of this version?"));
            }
            long loadStart = System.nanoTime();
            load(bootstrap, layout, data);
            double loadSeconds = seconds(loadStart);
            int records = data.nodes().size() + data.packets().size() + data.votes().size();
            json.put("load", Map.of("records", records, "seconds", round(loadSeconds),
                    "records_per_s", round(records / loadSeconds)));
            row("load (transactional producer)", rate(records / loadSeconds, "records/s"), "", "");

            long expected = data.packets().size() + data.votes().size();
            Consumed raw = consume(bootstrap, layout, expected, 1, null);
            json.put("raw_consumer", raw.json());
            row("raw anchor: read_committed consumer", rate(raw.perSecond(), "records/s"),
                    rate(raw.perCpuSecond(), "records/cpu-s"), "");
            Consumed verified = consume(bootstrap, layout, expected, threads, directory(data));
            json.put("verification_limit", verified.json());
            row("verification limit (" + threads + " thread" + (threads == 1 ? "" : "s") + ")",
                    rate(verified.perSecond(), "records/s"), rate(raw.perSecond(), "raw"),
                    ratio(verified.perSecond(), raw.perSecond()));

            URI target;
            if (api == null) {
                List<Map<String, Object>> scaleOut = new ArrayList<>();
                for (int i = 0; i < instances.size(); i++) {
                    if (app != null) {
                        progress(true, "stopping the %d instance%s of the last run...", app.servers().size(),
                                app.servers().size() == 1 ? "" : "s");
                        app.close();
                        app = null;
                    }
                    int count = instances.get(i);
                    app = startApp(config, bootstrap, count);
                    Map<String, Object> e2e = endToEnd(app, n, verified);
                    scaleOut.add(e2e);
                    if (i == 0) {
                        json.put("end_to_end", e2e);
                        json.put("app_startup_seconds", e2e.get("startup_seconds"));
                    }
                    String label = instances.size() == 1 && count == 1 ? "" : ", " + count + " instance"
                            + (count == 1 ? "" : "s");
                    double perSecond = (double) e2e.get("packets_per_s");
                    double perCpu = (double) e2e.get("packets_per_cpu_s");
                    row("app end to end: stored and scored" + label, rate(perSecond, "packets/s"),
                            rate(verified.perSecond(), "verify"), ratio(perSecond, verified.perSecond()));
                    // wall time on a shared machine depends on what else runs; CPU time per record much less
                    row("  per CPU-second of the app's threads", rate(perCpu, "packets/cpu-s"),
                            rate(verified.perCpuSecond(), "verify/cpu-s"), ratio(perCpu, verified.perCpuSecond()));
                }
                if (instances.size() > 1 || instances.get(0) > 1) {
                    json.put("scale_out", scaleOut);
                }
                target = app.target();
            } else {
                target = api;
                URI remote = target;
                awaitStored(() -> scrapeOrZero(remote, stored),
                        () -> scrapeOrZero(remote, "qis_packets_accepted_total"), target, storedBefore, n,
                        loadStart, Duration.ofSeconds(1));
                double e2eSeconds = seconds(loadStart);
                double e2e = n / e2eSeconds;
                Map<String, Object> endToEnd = new LinkedHashMap<>();
                endToEnd.put("packets_stored", round(scrape(target, stored, null).orElse(Double.NaN)
                        - storedBefore));
                endToEnd.put("seconds", round(e2eSeconds));
                endToEnd.put("packets_per_s", round(e2e));
                endToEnd.put("ratio_to_verification_limit", round(e2e / verified.perSecond()));
                endToEnd.put("from", "the first record loaded");
                json.put("end_to_end", endToEnd);
                row("app end to end: stored and scored", rate(e2e, "packets/s"), rate(verified.perSecond(),
                        "verify"), ratio(e2e, verified.perSecond()));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> first = (Map<String, Object>) json.get("end_to_end");
            first.put("ratio_to_raw", round((double) first.get("packets_per_s") / raw.perSecond()));

            if (freshSeconds > 0) {
                freshness(bootstrap, layout, target, data, freshRate);
            }
            queries(target, data, queryCount);
            resources(target);
            if (app != null) {
                progress(true, "stopping the app (its stores flush to disk)...");
                app.closeServers();
                stateSize(app.stateDirs(), n + data.fresh().size());
            }
        } finally {
            if (app != null) {
                progress(true, "stopping the app...");
                app.close();
            }
            if (kafka != null) {
                kafka.close();
            }
        }
        printTable(out);
        if (jsonFile != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonFile.toFile(), json);
            err.println("qis bench: figures written to " + jsonFile);
        }
        return QisCommand.EXIT_OK;
    }

    private QisConfig loadConfig() {
        return QisConfig.load(Optional.ofNullable(configFile), environment, Map.of());
    }

    /**
     * The instances of one run: one application id, each instance its own REST port and state directory (the
     * directories this command made are deleted on close; a state.dir of --config is kept).
     */
    private record AppRun(String applicationId, List<QisServer> servers, List<Path> stateDirs, boolean ownDirs,
                          double startupSeconds, long runningAt, Map<Long, Long> cpuAtRunning) {
        URI target() {
            return URI.create("http://127.0.0.1:" + servers.get(0).port());
        }

        double stored() {
            return servers.stream().mapToDouble(s -> s.registry().counter(QisMeters.PACKETS_STORED).count()).sum();
        }

        double accepted() {
            return servers.stream().mapToDouble(s -> s.registry().counter(QisMeters.PACKETS_ACCEPTED).count()).sum();
        }

        void closeServers() {
            servers.forEach(QisServer::close);
            servers.clear();
        }

        void close() {
            closeServers();
            if (ownDirs) {
                stateDirs.forEach(BenchCommand::deleteTree);
            }
        }
    }

    /** Starts {@code count} instances of a new application on the loaded topics and waits until all are RUNNING. */
    private AppRun startApp(QisConfig config, String bootstrap, int count) throws Exception {
        String applicationId = "qis-bench-" + UUID.randomUUID().toString().substring(0, 8);
        Optional<String> configured = config.get(QisConfig.STATE_DIR);
        List<QisServer> servers = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        progress(true, "starting %d instance%s of the app...", count, count == 1 ? "" : "s");
        long start = System.nanoTime();
        try {
            for (int i = 0; i < count; i++) {
                Path dir = configured.isPresent() ? Path.of(configured.get()).resolve("instance-" + i)
                        : Files.createTempDirectory("qis-bench-state-");
                dirs.add(dir);
                servers.add(QisServer.start(config.with(runSettings(bootstrap, applicationId, dir)),
                        Clock.systemUTC()));
            }
            // the clock starts when the first instance runs: from then on, packets are being stored
            awaitRunning(servers.get(0));
            long runningAt = System.nanoTime();
            double startup = seconds(start);
            Map<Long, Long> cpuAtRunning = appThreadCpu(applicationId);
            for (QisServer server : servers.subList(1, count)) {
                awaitRunning(server);
            }
            return new AppRun(applicationId, servers, dirs, configured.isEmpty(), startup, runningAt, cpuAtRunning);
        } catch (Exception | Error e) {
            new AppRun(applicationId, servers, dirs, configured.isEmpty(), 0, 0, Map.of()).close();
            throw e;
        }
    }

    private static void awaitRunning(QisServer server) throws InterruptedException {
        if (!server.awaitRunning(Duration.ofMinutes(2))) {
            throw new IllegalStateException("the stream app did not reach RUNNING within 2 minutes (state "
                    + server.streams().state() + ")");
        }
    }

    /** Times the instances from RUNNING until their stored counters add up to every packet, and their CPU. */
    private Map<String, Object> endToEnd(AppRun app, int n, Consumed verified) throws Exception {
        awaitStored(app::stored, app::accepted, app.target(), 0, n, app.runningAt(), Duration.ofMillis(100));
        double seconds = seconds(app.runningAt());
        double cpuSeconds = cpuSince(app.applicationId(), app.cpuAtRunning());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instances", app.servers().size());
        m.put("packets_stored", round(app.stored()));
        m.put("seconds", round(seconds));
        m.put("packets_per_s", round(n / seconds));
        m.put("ratio_to_verification_limit", round(n / seconds / verified.perSecond()));
        m.put("from", "the first instance RUNNING on the loaded topics");
        m.put("startup_seconds", round(app.startupSeconds()));
        m.put("app_cpu_seconds", round(cpuSeconds));
        m.put("packets_per_cpu_s", round(n / cpuSeconds));
        m.put("cpu_ratio_to_verification_limit", round(n / cpuSeconds / verified.perCpuSecond()));
        return m;
    }

    private static Map<String, String> runSettings(String bootstrap, String applicationId, Path stateDir) {
        Map<String, String> set = new LinkedHashMap<>();
        set.put(QisConfig.BOOTSTRAP_SERVERS, bootstrap);
        set.put(QisConfig.REST_PORT, "0");
        set.put(QisConfig.REST_BIND, "127.0.0.1");
        set.put(QisConfig.APPLICATION_ID, applicationId);
        set.put(QisConfig.STATE_DIR, stateDir.toString());
        return set;
    }

    private void createTopics(String bootstrap, TopicLayout layout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            new TopicProvisioner(admin, Duration.ofSeconds(60)).ensure(layout);
        }
    }

    /** Nodes first, then packets, then votes, in transactions of {@value #TXN_RECORDS} records. */
    private void load(String bootstrap, TopicLayout layout, BenchData data) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "qis-bench-loader-" + UUID.randomUUID());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        int total = data.nodes().size() + data.packets().size() + data.votes().size();
        long sent = 0;
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            for (List<BenchData.Item> items : List.of(data.nodes(), data.packets(), data.votes())) {
                producer.beginTransaction();
                long inTxn = 0;
                for (BenchData.Item item : items) {
                    producer.send(new ProducerRecord<>(topic(item, layout), item.key(), item.value()));
                    sent++;
                    if (++inTxn == TXN_RECORDS) {
                        producer.commitTransaction();
                        producer.beginTransaction();
                        inTxn = 0;
                        progress("loading: %,d of %,d records (%,.0f/s)", sent, total, sent / seconds(start));
                    }
                }
                producer.commitTransaction();
            }
        }
        progress(true, "loaded %,d records in %.1f s", sent, seconds(start));
    }

    private static String topic(BenchData.Item item, TopicLayout layout) {
        return switch (item.kind()) {
            case NODE -> Topics.NODES;
            case VOTE -> Topics.VOTES;
            case PACKET, FRESH -> Topics.outcomes(Fingerprint.parse(item.key()), layout.prefixChars());
        };
    }

    private static NodeDirectory directory(BenchData data) {
        Map<String, PublicKey> keys = new HashMap<>();
        for (BenchData.Item item : data.nodes()) {
            NodeKey key = ProtocolCodec.decodeNodeKey(item.value());
            byte[] raw = new byte[key.getPublicKey().remaining()];
            key.getPublicKey().duplicate().get(raw);
            keys.put(key.getNodeId(), Ed25519.publicKey(raw));
        }
        return id -> Optional.ofNullable(keys.get(id));
    }

    /** What a plain consumer read (and, with a directory, verified) of the outcome and vote topics. */
    private record Consumed(long records, long verified, int threads, double seconds, double cpuSeconds) {
        double perSecond() {
            return records / seconds;
        }

        double perCpuSecond() {
            return records / cpuSeconds;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("records", records);
            m.put("verified", verified);
            m.put("threads", threads);
            m.put("seconds", round(seconds));
            m.put("records_per_s", round(perSecond()));
            m.put("cpu_seconds", round(cpuSeconds));
            m.put("records_per_cpu_s", round(perCpuSecond()));
            return m;
        }
    }

    /**
     * Reads every outcome and vote record with {@code threads} read_committed consumers, each assigned its share of
     * the partitions; with a directory each record is decoded and verified as ingest verifies it.
     */
    private Consumed consume(String bootstrap, TopicLayout layout, long expected, int threads,
                             NodeDirectory directory) throws Exception {
        List<String> topics = layout.coPartitionedTopics();
        List<TopicPartition> partitions = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> probe = consumer(bootstrap)) {
            for (String t : topics) {
                for (PartitionInfo p : probe.partitionsFor(t)) {
                    partitions.add(new TopicPartition(t, p.partition()));
                }
            }
        }
        AtomicLong read = new AtomicLong();
        AtomicLong verified = new AtomicLong();
        AtomicLong cpu = new AtomicLong();
        String what = directory == null ? "raw consumer" : "verifying consumer";
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(10);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<TopicPartition> share = new ArrayList<>();
                for (int i = t; i < partitions.size(); i += threads) {
                    share.add(partitions.get(i));
                }
                futures.add(pool.submit(() -> {
                    PacketVerifier verifier = directory == null ? null : new PacketVerifier(directory,
                            Clock.systemUTC());
                    long cpuStart = THREADS.getCurrentThreadCpuTime();
                    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
                        consumer.assign(share);
                        consumer.seekToBeginning(share);
                        while (read.get() < expected && System.nanoTime() < deadline) {
                            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                                if (verifier != null && accepted(verifier, r)) {
                                    verified.incrementAndGet();
                                }
                                read.incrementAndGet();
                            }
                            progress("%s: %,d of %,d records", what, read.get(), expected);
                        }
                    }
                    cpu.addAndGet(THREADS.getCurrentThreadCpuTime() - cpuStart);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = seconds(start);
        if (read.get() < expected) {
            throw new IllegalStateException("the " + what + " read " + read.get() + " of " + expected
                    + " records in 10 minutes");
        }
        progress(true, "%s: %,d records in %.1f s", what, read.get(), seconds);
        return new Consumed(read.get(), verified.get(), threads, seconds, cpu.get() / 1e9);
    }

    private static boolean accepted(PacketVerifier verifier, ConsumerRecord<byte[], byte[]> r) {
        Verdict<?> verdict = r.topic().equals(Topics.VOTES) ? verifier.verifyReport(r.value())
                : verifier.verifyPacket(r.value(), id -> Optional.empty());
        return verdict instanceof Verdict.Accepted;
    }

    /** CPU time so far of each live thread of the app (its stream, global, state-updater and producer threads). */
    private static Map<Long, Long> appThreadCpu(String applicationId) {
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains(applicationId)) {
                long t = THREADS.getThreadCpuTime(info.getThreadId());
                if (t >= 0) {
                    cpu.put(info.getThreadId(), t);
                }
            }
        }
        return cpu;
    }

    private static double cpuSince(String applicationId, Map<Long, Long> before) {
        long sum = 0;
        for (Map.Entry<Long, Long> now : appThreadCpu(applicationId).entrySet()) {
            sum += now.getValue() - before.getOrDefault(now.getKey(), 0L);
        }
        return sum / 1e9;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Waits until the app's stored counter has grown by {@code n}; fails when neither it nor the accepted counter
     * moves for 2 minutes (while ingest drains a backlog the later stages may store nothing for minutes). The
     * counter is read in-process where the app runs here: scraping {@code /metrics} (thousands of Kafka Streams
     * series) several times a second would take CPU from the app being measured. The rate shown runs from
     * {@code start}, the {@link System#nanoTime()} the figure's clock starts at, so it is the rate the figure reports.
     */
    private void awaitStored(DoubleSupplier counter, DoubleSupplier accepted,
                             URI target, double before, int n, long start, Duration every) throws Exception {
        double last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            double now = counter.getAsDouble() - before;
            double progress = now + accepted.getAsDouble();
            if (now >= n) {
                progress(true, "app: %,d packets stored and scored in %.1f s", (long) now, seconds(start));
                return;
            }
            if (progress != last) {
                last = progress;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > TimeUnit.MINUTES.toNanos(2)) {
                double rejected = scrape(target, "qis_packets_rejected_total", null).orElse(0.0);
                throw new IllegalStateException("the app stopped at " + (long) now + " of " + n
                        + " packets stored, and accepted none, for 2 minutes (" + (long) rejected
                        + " records rejected; see " + target + "/metrics)");
            }
            progress("app: %,d of %,d packets stored and scored (%,.0f/s)", (long) now, n, now / seconds(start));
            Thread.sleep(every.toMillis());
        }
    }

    /**
     * Publishes the fresh packets at {@code rate} (an idempotent producer, no transaction, so each is readable once
     * acknowledged) and times a sample of them from the send until {@code GET /v1/packets/{id}} answers 200.
     */
    private void freshness(String bootstrap, TopicLayout layout, URI target, BenchData data, int rate)
            throws Exception {
        List<BenchData.Item> fresh = data.fresh();
        int every = Math.max(1, fresh.size() / MAX_FRESH_SAMPLES);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong unanswered = new AtomicLong();
        ExecutorService watchers = Executors.newFixedThreadPool(8);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        long start = System.nanoTime();
        int samples = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < fresh.size(); i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                BenchData.Item item = fresh.get(i);
                long sentAt = System.nanoTime();
                producer.send(new ProducerRecord<>(topic(item, layout), item.key(), item.value()));
                if (i % every == 0) {
                    samples++;
                    String id = ProtocolCodec.decodePacket(item.value()).getPacketId();
                    watchers.submit(() -> {
                        long giveUp = sentAt + TimeUnit.SECONDS.toNanos(60);
                        while (System.nanoTime() < giveUp) {
                            if (client(target).status("/v1/packets/" + id) == 200) {
                                latencies.add(System.nanoTime() - sentAt);
                                return;
                            }
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                        }
                        unanswered.incrementAndGet();
                    });
                }
                progress("freshness: %,d of %,d packets sent at %,d/s", i + 1, fresh.size(), rate);
            }
        }
        double sendSeconds = seconds(start);
        watchers.shutdown();
        watchers.awaitTermination(2, TimeUnit.MINUTES);
        Latency l = Latency.of(latencies.stream().mapToLong(Long::longValue).toArray(), unanswered.get(),
                sendSeconds);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rate", rate);
        m.put("sent", fresh.size());
        m.put("achieved_rate", round(fresh.size() / sendSeconds));
        m.put("samples", samples);
        m.put("answered", l.count());
        m.put("p50_ms", round(l.p50Ms()));
        m.put("p99_ms", round(l.p99Ms()));
        json.put("freshness", m);
        progress(true, "freshness: %d of %d samples answered, p50 %.1f ms, p99 %.1f ms", l.count(), samples,
                l.p50Ms(), l.p99Ms());
        row("freshness at " + rate + "/s: publish -> GET packet", ms(l.p50Ms()) + " / " + ms(l.p99Ms()) + " p50/p99",
                "", "");
    }

    /** One query's parameters, drawn from a loaded packet so that domains come up as often as they hold packets. */
    private record Query(String domain, String family, String fingerprint) { }

    private void queries(URI target, BenchData data, int count) throws Exception {
        Random r = new Random(seed);
        NaiveRouter naive = new NaiveRouter();
        List<OutcomePacket> decoded = new ArrayList<>();
        for (List<BenchData.Item> items : List.of(data.packets(), data.fresh())) {
            for (BenchData.Item item : items) {
                naive.add(item.value());
            }
        }
        for (int i = 0; i < count; i++) {
            decoded.add(ProtocolCodec.decodePacket(data.packets().get(r.nextInt(data.packets().size())).value()));
        }
        List<Query> list = decoded.stream().map(p -> new Query(p.getContext().getTask(),
                p.getContext().getBaseModelFamily(), PacketId.fingerprintOf(p.getPacketId()).value())).toList();
        int warmup = Math.max(5, count / 10);
        List<Map<String, Object>> results = new ArrayList<>();
        Map<String, Function<Query, String>> paths = new LinkedHashMap<>();
        paths.put("top", q -> "/v1/domains/" + q.domain() + "/top?k=" + TOP_K);
        paths.put("domain synthesis", q -> "/v1/domains/" + q.domain() + "/synthesis?family="
                + URLEncoder.encode(q.family(), StandardCharsets.UTF_8));
        paths.put("fingerprint synthesis", q -> "/v1/fingerprints/" + q.fingerprint() + "/synthesis");
        Map<String, Predicate<Query>> naiveCalls = Map.of(
                "top", q -> !naive.top(q.domain(), TOP_K).isEmpty(),
                "domain synthesis", q -> naive.synthesis(q.domain(), q.family()) != null,
                "fingerprint synthesis", q -> naive.fingerprintSynthesis(q.fingerprint()) != null);
        for (Map.Entry<String, Function<Query, String>> kind : paths.entrySet()) {
            for (int clients : new int[] {1, 8}) {
                Map<String, Integer> statuses = new ConcurrentHashMap<>();
                progress(true, "queries: %s, %d client%s, %,d queries on the app and the naive router", kind.getKey(),
                        clients, clients == 1 ? "" : "s", count);
                Predicate<Query> call = q -> {
                    int s = client(target).status(kind.getValue().apply(q));
                    statuses.merge(Integer.toString(s), 1, Integer::sum);
                    return s == 200 || s == 404; // 404: nothing routed there yet, a real answer of the app
                };
                list.subList(0, Math.min(warmup, list.size())).forEach(call::test);
                statuses.clear(); // the statuses of the timed queries only
                Latency app = Latency.run(list, 0, clients, call);
                Latency base = Latency.run(list, warmup, clients, naiveCalls.get(kind.getKey()));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kind", kind.getKey());
                m.put("clients", clients);
                m.put("app", app.json());
                m.put("app_statuses", new TreeMap<>(statuses));
                m.put("naive", base.json());
                m.put("naive_over_app_p99", round(base.p99Ms() / app.p99Ms()));
                results.add(m);
                row(kind.getKey() + ", " + clients + " client" + (clients == 1 ? "" : "s") + " (p50/p99/p99.9)",
                        ms(app.p50Ms()) + " / " + ms(app.p99Ms()) + " / " + ms(app.p999Ms()),
                        "naive " + ms(base.p50Ms()) + " / " + ms(base.p99Ms()) + " / " + ms(base.p999Ms()),
                        String.format("%.2f (naive p99 / app p99)", base.p99Ms() / app.p99Ms()));
            }
        }
        json.put("queries", results);
        json.put("naive_router_packets", naive.size());
    }

    private void resources(URI target) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        double heap;
        double rss;
        if (api == null) {
            System.gc();
            heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            rss = ProcessMemory.kib("VmRSS:") * 1024;
            m.put("process", "this JVM: broker, app and benchmark together");
        } else {
            heap = scrape(target, "jvm_memory_used_bytes", "area=\"heap\"").orElse(Double.NaN);
            rss = scrape(target, "process_resident_memory_bytes", null).orElse(Double.NaN);
            m.put("process", "the app at " + target);
        }
        m.put("heap_used_bytes", (long) heap);
        m.put("rss_bytes", (long) rss);
        m.put("lag_records", scrape(target, "qis_consumer_lag_records", null).orElse(Double.NaN));
        row("heap used (after GC) / RSS", mib(heap) + " / " + mib(rss), "", "");
        json.put("resources", m);
    }

    /** The state directory once the app has closed and its stores have flushed: what a restart would find. */
    @SuppressWarnings("unchecked")
    private void stateSize(List<Path> stateDirs, int packetsHeld) throws IOException {
        long size = 0;
        for (Path dir : stateDirs) {
            size += treeSize(dir);
        }
        Map<String, Object> m = (Map<String, Object>) json.get("resources");
        m.put("state_dir_bytes", size);
        m.put("state_bytes_per_packet", round((double) size / packetsHeld));
        row("state dir (after close)", mib(size), String.format("%,.0f bytes/packet", (double) size / packetsHeld), "");
    }

    /** The client of the app measured, with its bearer token when --api names one that wants it. */
    private QisApiClient client(URI target) {
        return clients.computeIfAbsent(target, t -> QisApiClient.to(t)
                .token(api == null ? Optional.empty() : TokenFile.clientToken(tokenFile, environment.get(TokenFile.ENV)))
                .timeouts(Duration.ofSeconds(10), Duration.ofSeconds(5)).build());
    }

    /** The sum of a Prometheus series' samples on {@code /metrics}, those whose labels contain {@code label}. */
    private Optional<Double> scrape(URI target, String name, String label) throws IOException, InterruptedException {
        QisApiClient.Answer response = client(target).get("/metrics");
        if (response.statusCode() != 200) {
            throw new IllegalStateException(target + "/metrics answered " + response.statusCode());
        }
        double[] sum = {0};
        boolean[] found = {false};
        try (Stream<String> lines = response.body().lines()) {
            lines.filter(l -> l.startsWith(name) && (l.length() > name.length()
                            && (l.charAt(name.length()) == ' ' || l.charAt(name.length()) == '{')))
                    .filter(l -> label == null || l.contains(label))
                    .forEach(l -> {
                        sum[0] += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
                        found[0] = true;
                    });
        }
        return found[0] ? Optional.of(sum[0]) : Optional.empty();
    }

    private double scrapeOrZero(URI target, String name) {
        try {
            return scrape(target, name, null).orElse(0.0);
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private void row(String figure, String value, String anchor, String ratio) {
        table.add(new String[] {figure, value, anchor, ratio});
    }

    private void printTable(PrintWriter out) {
        String[] head = {"figure", "value", "anchor, same run", "ratio"};
        int[] w = new int[head.length];
        for (int c = 0; c < w.length; c++) {
            w[c] = head[c].length();
            for (String[] row : table) {
                w[c] = Math.max(w[c], row[c].length());
            }
        }
        List<String[]> all = new ArrayList<>();
        all.add(head);
        all.addAll(table);
        for (int i = 0; i < all.size(); i++) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < w.length; c++) {
                line.append(String.format("%-" + w[c] + "s", all.get(i)[c])).append(c < w.length - 1 ? "  " : "");
            }
            out.println(line.toString().stripTrailing());
            if (i == 0) {
                out.println("-".repeat(line.toString().stripTrailing().length()));
            }
        }
        out.flush();
    }

    private void progress(String format, Object... args) {
        progress(false, format, args);
    }

    /** A progress line on stderr, at most every 2 s unless {@code always}. */
    private synchronized void progress(boolean always, String format, Object... args) {
        long now = System.nanoTime();
        if (always || now - lastProgress > TimeUnit.SECONDS.toNanos(2)) {
            lastProgress = now;
            err.println(LocalTime.now(ZoneOffset.UTC).withNano(0) + " bench: "
                    + String.format(format, args));
            err.flush();
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static double round(double v) {
        return Latency.round(v);
    }

    private static String rate(double v, String unit) {
        return String.format("%,.0f %s", v, unit);
    }

    private static String ratio(double a, double b) {
        return String.format("%.3f", a / b);
    }

    private static String ms(double v) {
        return String.format("%.2f ms", v);
    }

    private static String mib(double bytes) {
        return String.format("%,.0f MiB", bytes / (1 << 20));
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // a file RocksDB removed while walking
                }
            }).sum();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
