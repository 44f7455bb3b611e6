package dev.qis.config;

import dev.qis.errors.Reason;
import dev.qis.fidelity.FidelityParams;
import dev.qis.protocol.Topics;
import dev.qis.publish.TopicLayout;
import dev.qis.registry.RegistrySettings;
import dev.qis.store.DeletionCompaction;
import dev.qis.handlers.DomainTopicFailureHandler;
import dev.qis.handlers.RejectionHandler;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The app's configuration: defaults, then a properties file, then the environment, then command-line flags,
 * each overriding the one before. Keys are Kafka's own (passed through to the clients and Kafka Streams) plus the
 * {@code qis.*} keys below. An environment variable {@code QIS_<KEY>} sets a key: upper case, dots as
 * underscores, and a {@code qis.} key without its {@code qis.} prefix ({@code QIS_REST_PORT} sets
 * {@code qis.rest.port}, {@code QIS_BOOTSTRAP_SERVERS} sets {@code bootstrap.servers}). The topology's own keys
 * (topic layout, every election constant) are read by {@link #fidelity()}, {@link #topicLayout()} and friends, and
 * {@link #streamsProperties()} gives Kafka Streams its settings over the defaults the design requires.
 */
public final class QisConfig {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String APPLICATION_ID = "application.id";
    public static final String APPLICATION_SERVER = "application.server";
    public static final String STATE_DIR = "state.dir";
    public static final String NUM_STANDBY_REPLICAS = "num.standby.replicas";

    /** Port of the REST API. */
    public static final String REST_PORT = "qis.rest.port";
    /** Address the REST API binds to; the routable address others use is {@code application.server}. */
    public static final String REST_BIND = "qis.rest.bind";
    /** Worker threads of the REST server: they read requests and answer them. */
    public static final String REST_THREADS = "qis.rest.threads";
    /** Requests that may wait for a REST worker thread; past it a request gets a 503 with Retry-After. */
    public static final String REST_QUEUE = "qis.rest.queue";
    /** A file of bearer tokens, one a line; set, every API route but the probes (and the console's files) needs one. */
    public static final String REST_AUTH_TOKEN_FILE = "qis.rest.auth.token.file";
    /** With a token file: whether {@code /metrics} answers without a token (default false). */
    public static final String REST_AUTH_METRICS_OPEN = "qis.rest.auth.metrics.open";
    /** This instance's key and certificate (PKCS12 or JKS); set, the API speaks only HTTPS. */
    public static final String REST_TLS_KEYSTORE_LOCATION = "qis.rest.tls.keystore.location";
    public static final String REST_TLS_KEYSTORE_PASSWORD = "qis.rest.tls.keystore.password";
    public static final String REST_TLS_KEYSTORE_TYPE = "qis.rest.tls.keystore.type";
    public static final String REST_TLS_KEY_PASSWORD = "qis.rest.tls.key.password";
    /** The CAs whose client certificates the API accepts (and whose server certificates a forwarding instance trusts). */
    public static final String REST_TLS_TRUSTSTORE_LOCATION = "qis.rest.tls.truststore.location";
    public static final String REST_TLS_TRUSTSTORE_PASSWORD = "qis.rest.tls.truststore.password";
    public static final String REST_TLS_TRUSTSTORE_TYPE = "qis.rest.tls.truststore.type";
    /** none, want or need: whether a client must show a certificate the trust store accepts. */
    public static final String REST_TLS_CLIENT_AUTH = "qis.rest.tls.client.auth";
    /** Partition count of every outcome topic and of {@code qis.votes} (they must match: co-partitioning). */
    public static final String TOPIC_PARTITIONS = "qis.topics.partitions";
    public static final String TOPIC_REPLICATION = "qis.topics.replication.factor";
    /** Timeout of a query forwarded to the instance that owns the key. */
    public static final String QUERY_TIMEOUT_MS = "qis.query.timeout.ms";
    public static final String PREFIX_CHARS = "qis.outcomes.prefix.chars";
    public static final String HALF_LIFE = "qis.fidelity.half.life";
    public static final String SUCCESS_RATIO = "qis.fidelity.success.ratio";
    public static final String NOT_HELD_OUT_FACTOR = "qis.fidelity.not.held.out.factor";
    public static final String GAIN_EPSILON = "qis.fidelity.gain.epsilon";
    public static final String MAX_CANDIDATES = "qis.domain.candidates.max";
    public static final String MAX_PER_NODE = "qis.topk.max.per.node";
    public static final String MAX_STORED_PER_NODE = "qis.domain.candidates.max.per.node";
    public static final String CLAIM_FACTOR = "qis.fidelity.claim.factor";
    public static final String EVAL_CAP = "qis.fidelity.eval.cap";
    public static final String PRIOR_WEIGHT = "qis.fidelity.prior.weight";
    public static final String UNIT_NOISE = "qis.fidelity.unit.noise";
    public static final String CROSS_TASK_WEIGHT = "qis.synthesis.weight.cross.task";
    public static final String CROSS_FAMILY_WEIGHT = "qis.synthesis.weight.cross.family";
    public static final String STARTUP_TIMEOUT = "qis.startup.timeout";
    /** How long a record from a node without a registered key waits for the key before it is rejected. */
    public static final String UNKNOWN_NODE_GRACE = "qis.unknown.node.grace";
    /** How often the records waiting for a node key are verified again. */
    public static final String UNKNOWN_NODE_RECHECK = "qis.unknown.node.recheck.interval";
    /** How many records may wait for node keys per task; past it a new one is rejected at once. */
    public static final String UNKNOWN_NODE_MAX_HELD = "qis.unknown.node.max.held";

    /**
     * How many domain topics ({@code qis.domain.*}) the app creates at most, counting those that exist at start-up;
     * packets of further domains go to {@code qis.domain-overflow}.
     */
    public static final String DOMAIN_TOPICS_MAX = "qis.domain.topics.max";
    /** Partitions of each domain topic the app creates (existing domain topics are used as they are). */
    public static final String DOMAIN_TOPICS_PARTITIONS = "qis.domain.topics.partitions";
    public static final int DEFAULT_DOMAIN_TOPICS_PARTITIONS = 1;
    /** How long a routed packet waits for its new domain topic to be created before it goes to the overflow topic. */
    public static final String DOMAIN_TOPICS_CREATE_WAIT = "qis.domain.topics.create.wait";
    /** How long after a refused or failed creation the app tries that domain topic again. */
    public static final String DOMAIN_TOPICS_RETRY_BACKOFF = "qis.domain.topics.retry.backoff";
    /** The most records from one node id that may wait for its key per task; past it that node's oldest is rejected. */
    public static final String UNKNOWN_NODE_MAX_HELD_PER_NODE = "qis.unknown.node.max.held.per.node";

    /** How often routed packets waiting for the schema registry are tried again (with schema.registry.url set). */
    public static final String REGISTRY_RETRY_INTERVAL = "qis.registry.retry.interval";

    /** The most backed reports a domain candidate keeps whole (the heaviest); S, F and E count every one. */
    public static final String CANDIDATE_REPORTS_MAX = "qis.candidate.reports.max";
    public static final int DEFAULT_CANDIDATE_REPORTS_MAX = 64;
    /** How long (stream time) reports and citations of a packet that has not arrived are held before they are dropped. */
    public static final String PENDING_RETENTION = "qis.pending.retention";

    public static final String DEFAULT_APPLICATION_ID = "qis-streams";

    /** Where the keys in the environment come from: the prefix of their variables. */
    public static final String ENV_PREFIX = "QIS_";

    private static final Map<String, String> DEFAULTS = Map.of(
            APPLICATION_ID, DEFAULT_APPLICATION_ID,
            REST_PORT, "8080",
            REST_BIND, "0.0.0.0",
            REST_THREADS, "96",
            REST_QUEUE, "256",
            TOPIC_PARTITIONS, Integer.toString(TopicLayout.DEFAULT_PARTITIONS),
            TOPIC_REPLICATION, Short.toString(TopicLayout.BROKER_DEFAULT_REPLICATION),
            QUERY_TIMEOUT_MS, "5000",
            NUM_STANDBY_REPLICAS, "0");

    /** The qis.* keys this version knows: an environment variable maps to one of them before Kafka's keys. */
    private static final Set<String> QIS_KEYS = Set.of(REST_PORT, REST_BIND, REST_THREADS, REST_QUEUE, TOPIC_PARTITIONS, TOPIC_REPLICATION,
            REST_AUTH_TOKEN_FILE, REST_AUTH_METRICS_OPEN, REST_TLS_KEYSTORE_LOCATION, REST_TLS_KEYSTORE_PASSWORD,
            REST_TLS_KEYSTORE_TYPE, REST_TLS_KEY_PASSWORD, REST_TLS_TRUSTSTORE_LOCATION, REST_TLS_TRUSTSTORE_PASSWORD,
            REST_TLS_TRUSTSTORE_TYPE, REST_TLS_CLIENT_AUTH,
            QUERY_TIMEOUT_MS, PREFIX_CHARS, HALF_LIFE, SUCCESS_RATIO, NOT_HELD_OUT_FACTOR, GAIN_EPSILON,
            MAX_CANDIDATES, MAX_PER_NODE, MAX_STORED_PER_NODE, CLAIM_FACTOR, EVAL_CAP, PRIOR_WEIGHT, UNIT_NOISE,
            CROSS_TASK_WEIGHT, CROSS_FAMILY_WEIGHT, STARTUP_TIMEOUT, UNKNOWN_NODE_GRACE, UNKNOWN_NODE_RECHECK,
            UNKNOWN_NODE_MAX_HELD, UNKNOWN_NODE_MAX_HELD_PER_NODE, REGISTRY_RETRY_INTERVAL, DOMAIN_TOPICS_MAX,
            DOMAIN_TOPICS_PARTITIONS, DOMAIN_TOPICS_CREATE_WAIT, DOMAIN_TOPICS_RETRY_BACKOFF, CANDIDATE_REPORTS_MAX, PENDING_RETENTION);

    private final Map<String, String> values;
    private final Map<String, String> sources;

    private QisConfig(Map<String, String> values, Map<String, String> sources) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
    }

    /** The defaults overridden by {@code props} (tests and embedded use; the CLI uses {@link #load}). */
    public QisConfig(Properties props) {
        this(merged(props), sourcesOf(props));
    }

    private static Map<String, String> merged(Properties props) {
        Map<String, String> values = new TreeMap<>(DEFAULTS);
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).strip()));
        return values;
    }

    private static Map<String, String> sourcesOf(Properties props) {
        Map<String, String> sources = new TreeMap<>();
        DEFAULTS.keySet().forEach(k -> sources.put(k, "default"));
        props.stringPropertyNames().forEach(k -> sources.put(k, "properties"));
        return sources;
    }

    /**
     * Loads the layers in order. A missing or unreadable file is a {@link ConfigException} naming it.
     *
     * @param file      a properties file, if one was given
     * @param env       the environment (System.getenv() in production)
     * @param overrides flags from the command line
     */
    public static QisConfig load(Optional<Path> file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> values = new TreeMap<>(DEFAULTS);
        Map<String, String> sources = new TreeMap<>();
        DEFAULTS.keySet().forEach(k -> sources.put(k, "default"));
        if (file.isPresent()) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file.get(), StandardCharsets.UTF_8)) {
                props.load(reader);
            } catch (NoSuchFileException e) {
                throw new ConfigException(Reason.FILE_UNREADABLE, "config file " + file.get() + " does not exist");
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(Reason.FILE_UNREADABLE,
                        "cannot read config file " + file.get() + ": " + e.getMessage());
            }
            for (String key : props.stringPropertyNames()) {
                values.put(key, props.getProperty(key).strip());
                sources.put(key, "file " + file.get());
            }
        }
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                String key = keyOfEnv(name);
                values.put(key, value.strip());
                sources.put(key, "environment " + name);
            }
        });
        overrides.forEach((key, value) -> {
            values.put(key, value);
            sources.put(key, "command line");
        });
        return new QisConfig(values, sources);
    }

    /** The key an environment variable sets: {@code QIS_REST_PORT} -> {@code qis.rest.port}. */
    static String keyOfEnv(String name) {
        String dotted = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        String qisKey = "qis." + dotted;
        return QIS_KEYS.contains(qisKey) ? qisKey : dotted;
    }

    /** The environment variable that sets a key. */
    public static String envOf(String key) {
        String bare = key.startsWith("qis.") ? key.substring(4) : key;
        return ENV_PREFIX + bare.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isEmpty());
    }

    public String require(String key) {
        return get(key).orElseThrow(() -> new ConfigException(Reason.MISSING_SETTING,
                key + " is not set (set it in the "
                + "properties file, with the environment variable " + envOf(key) + ", or on the command line)"));
    }

    public int getInt(String key) {
        String raw = require(key);
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    key + " must be an integer, got '" + raw + "' (from " + sources.get(key) + ")");
        }
    }

    /** An integer of at least 1. */
    public int getPositiveInt(String key) {
        int value = getInt(key);
        if (value < 1) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    key + " must be at least 1, got " + value + " (from " + sources.get(key) + ")");
        }
        return value;
    }

    public int getPort(String key) {
        int port = getInt(key);
        if (port < 0 || port > 65535) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    key + " must be a port in 0-65535, got " + port + " (from " + sources.get(key) + ")");
        }
        return port;
    }

    /** True when a broker was configured; without one, {@code qis demo} starts its own. */
    public boolean hasBootstrapServers() {
        return get(BOOTSTRAP_SERVERS).isPresent();
    }

    /** Where a key's value came from, for logs and errors. */
    public String sourceOf(String key) {
        return sources.getOrDefault(key, "unset");
    }

    /** A copy with some keys replaced (e.g. the bootstrap servers of an embedded broker). */
    public QisConfig with(Map<String, String> replacements) {
        Map<String, String> v = new TreeMap<>(values);
        Map<String, String> s = new TreeMap<>(sources);
        replacements.forEach((k, val) -> {
            v.put(k, val);
            s.put(k, "set by qis");
        });
        return new QisConfig(v, s);
    }

    /** Every key as Properties: what the Kafka clients and Kafka Streams are given (they ignore the qis.* keys). */
    public Properties asProperties() {
        Properties props = new Properties();
        values.forEach(props::setProperty);
        return props;
    }

    /** Every key with its value and source, secrets masked: what {@code qis serve} logs at start-up. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, (isSecret(k) ? "[hidden]" : v) + "  (" + sources.get(k) + ")"));
        return out;
    }

    /** Every key as Properties (the name the topology uses for {@link #asProperties()}). */
    public Properties raw() {
        return asProperties();
    }

    public String get(String key, String fallback) {
        return get(key).map(String::strip).orElse(fallback);
    }

    /**
     * The protocol topics' layout, the same record the publisher creates topics with: partitions, replication
     * ({@link TopicLayout#BROKER_DEFAULT_REPLICATION}, the default, leaves it to the broker's
     * {@code default.replication.factor}) and the outcome-topic prefix.
     */
    public TopicLayout topicLayout() {
        int replication = intValue(TOPIC_REPLICATION, TopicLayout.BROKER_DEFAULT_REPLICATION);
        try {
            return new TopicLayout(intValue(TOPIC_PARTITIONS, TopicLayout.DEFAULT_PARTITIONS),
                    (short) replication, intValue(PREFIX_CHARS, Topics.DEFAULT_PREFIX_CHARS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    "topic settings (" + TOPIC_PARTITIONS + ", " + TOPIC_REPLICATION + ", "
                    + PREFIX_CHARS + "): " + e.getMessage());
        }
    }

    public Duration startupTimeout() {
        return duration(STARTUP_TIMEOUT, Duration.ofSeconds(60));
    }

    /** The cap on domain topics ({@value #DOMAIN_TOPICS_MAX}, default 1000). */
    public int domainTopicsMax() {
        int max = intValue(DOMAIN_TOPICS_MAX, 1000);
        if (max < 0) {
            throw new ConfigException(Reason.INVALID_SETTING, DOMAIN_TOPICS_MAX + " must not be negative, got " + max);
        }
        return max;
    }

    /**
     * Partitions of a new domain topic ({@value #DOMAIN_TOPICS_PARTITIONS}, default
     * {@value #DEFAULT_DOMAIN_TOPICS_PARTITIONS}, at least 1). One is plenty for a domain's share of the packets, and
     * every partition the app writes to costs its exactly-once producer work on every send (the sender walks them all):
     * with 100 domains of 6 partitions that walk took as much CPU as the stream thread itself (docs/benchmarks.md).
     */
    public int domainTopicsPartitions() {
        int partitions = intValue(DOMAIN_TOPICS_PARTITIONS, DEFAULT_DOMAIN_TOPICS_PARTITIONS);
        if (partitions < 1) {
            throw new ConfigException(Reason.INVALID_SETTING, DOMAIN_TOPICS_PARTITIONS + " must be at least 1, got " + partitions);
        }
        return partitions;
    }

    /**
     * How long a packet waits for its domain topic's creation ({@value #DOMAIN_TOPICS_CREATE_WAIT}, default 5 s: well
     * inside the 10 s exactly-once transaction the wait happens in).
     */
    public Duration domainTopicsCreateWait() {
        return duration(DOMAIN_TOPICS_CREATE_WAIT, Duration.ofSeconds(5));
    }

    /** When a failed domain topic creation is tried again ({@value #DOMAIN_TOPICS_RETRY_BACKOFF}, default 30 s). */
    public Duration domainTopicsRetryBackoff() {
        return duration(DOMAIN_TOPICS_RETRY_BACKOFF, Duration.ofSeconds(30));
    }

    public UnknownNodeGrace unknownNodeGrace() {
        UnknownNodeGrace d = UnknownNodeGrace.DEFAULTS;
        try {
            return new UnknownNodeGrace(duration(UNKNOWN_NODE_GRACE, d.grace()),
                    duration(UNKNOWN_NODE_RECHECK, d.recheckInterval()), intValue(UNKNOWN_NODE_MAX_HELD, d.maxHeld()),
                    intValue(UNKNOWN_NODE_MAX_HELD_PER_NODE, d.maxHeldPerNode()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(Reason.INVALID_SETTING, "qis.unknown.node.*: " + e.getMessage());
        }
    }

    /**
     * The schema registry the domain topics are framed for ({@code schema.registry.url} and the other
     * {@link RegistrySettings} keys), or empty: then domain records keep the single-object encoding.
     */
    public Optional<RegistrySettings> registrySettings() {
        try {
            return RegistrySettings.from(values);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(Reason.INVALID_SETTING, "schema registry settings: " + e.getMessage() + " (from "
                    + sourceOf(RegistrySettings.URL) + ")");
        }
    }

    public Duration registryRetryInterval() {
        Duration d = duration(REGISTRY_RETRY_INTERVAL, Duration.ofSeconds(5));
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(Reason.INVALID_SETTING, REGISTRY_RETRY_INTERVAL + " must be positive, got " + d);
        }
        return d;
    }

    /** {@value #CANDIDATE_REPORTS_MAX}, default {@value #DEFAULT_CANDIDATE_REPORTS_MAX}, at least 1. */
    public int candidateReportsMax() {
        int max = intValue(CANDIDATE_REPORTS_MAX, DEFAULT_CANDIDATE_REPORTS_MAX);
        if (max < 1) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    CANDIDATE_REPORTS_MAX + " must be at least 1, got " + max);
        }
        return max;
    }

    /** {@value #PENDING_RETENTION}, default 7 days, positive. */
    public Duration pendingRetention() {
        Duration d = duration(PENDING_RETENTION, Duration.ofDays(7));
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(Reason.INVALID_SETTING, PENDING_RETENTION + " must be positive, got " + d);
        }
        return d;
    }

    public FidelityParams fidelity() {
        FidelityParams d = FidelityParams.DEFAULTS;
        try {
            return new FidelityParams(
                    duration(HALF_LIFE, d.halfLife()),
                    doubleValue(SUCCESS_RATIO, d.successRatio()),
                    doubleValue(NOT_HELD_OUT_FACTOR, d.notHeldOutFactor()),
                    doubleValue(GAIN_EPSILON, d.gainEpsilon()),
                    intValue(MAX_CANDIDATES, d.maxCandidates()),
                    intValue(MAX_PER_NODE, d.maxPerNode()),
                    intValue(MAX_STORED_PER_NODE, d.maxStoredPerNode()),
                    doubleValue(CLAIM_FACTOR, d.claimFactor()),
                    intValue(EVAL_CAP, d.evalCap()),
                    doubleValue(PRIOR_WEIGHT, d.priorWeight()),
                    doubleValue(UNIT_NOISE, d.unitNoise()),
                    doubleValue(CROSS_TASK_WEIGHT, d.crossTaskWeight()),
                    doubleValue(CROSS_FAMILY_WEIGHT, d.crossFamilyWeight()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(Reason.INVALID_SETTING, "elections settings: " + e.getMessage());
        }
    }

    /**
     * The Kafka Streams properties: everything given, over these defaults — exactly-once v2, the classic group
     * protocol (IQ routing), explicit names for every store and internal topic, the dead-letter topic with
     * handlers that write {@code Rejection} records to it, and no idling for empty input partitions.
     */
    // The global-thread flag is transitional (deprecated, default on from Kafka 5.0); Streams asks to enable it now.
    @SuppressWarnings("deprecation")
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.REJECTED);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, RejectionHandler.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, RejectionHandler.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DomainTopicFailureHandler.class.getName());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // No join reads two topics in step: ingest reads the outcome and vote topics by pattern, and a vote or citation
        // before its packet waits in the packet state. Waiting for every input partition to hold data (the default, 0)
        // costs CPU for nothing: qis bench measured 20-38 % more packets per CPU-second without it (docs/benchmarks.md).
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        // Files dense in deletions are compacted as they are written: a full domain deletes a key per key it adds
        // (DeletionCompaction; docs/benchmarks.md).
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, DeletionCompaction.class.getName());
        // Recovery after a crash (docs/reliability.md). A dead instance is noticed after 10 s rather than 45 s; its
        // standby copies answer meanwhile. Warm-up copies become active after a minute rather than ten.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "2000");
        p.put(StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG, "60000");
        // Transactional state stores (KIP-892, enable.transactional.statestores) are not set: in Kafka 4.4 they do not
        // spare a crashed instance's state (its start-up still wipes it) and they hid applied node keys from reads of
        // the global store; docs/reliability.md.
        values.forEach((name, value) -> {
            if (!name.startsWith("qis.") && !RegistrySettings.KEYS.contains(name) && !value.isEmpty()) {
                p.put(name, value);
            }
        });
        return p;
    }

    private int intValue(String key, int fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    key + " must be an integer, got '" + v + "' (from " + sourceOf(key) + ")");
        }
    }

    private Duration duration(String key, Duration fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Duration.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    key + " must be an ISO-8601 duration such as PT30S, got '" + v + "' (from "
                    + sourceOf(key) + ")");
        }
    }

    private double doubleValue(String key, double fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    key + " must be a number, got '" + v + "' (from " + sourceOf(key) + ")");
        }
    }

    private static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("jaas") || k.contains("user.info");
    }
}
