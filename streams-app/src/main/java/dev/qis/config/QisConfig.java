package dev.qis.config;

import dev.qis.fidelity.FidelityParams;
import dev.qis.protocol.Topics;
import dev.qis.topology.RejectionHandler;
import dev.qis.topology.DomainTopicFailureHandler;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The app's configuration: its own {@code qis.*} keys (every election constant, topic layout) read from one
 * Properties object that also carries the Kafka Streams settings, with the defaults the design requires.
 */
public final class QisConfig {
    public static final String TOPIC_PARTITIONS = "qis.topic.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "qis.topic.replication.factor";
    public static final String PREFIX_CHARS = "qis.outcomes.prefix.chars";
    public static final String HALF_LIFE = "qis.fidelity.half.life";
    public static final String ROUTE_THRESHOLD = "qis.fidelity.route.threshold";
    public static final String MIN_ROUTED_VOTE = "qis.fidelity.min.routed.vote";
    public static final String SUCCESS_RATIO = "qis.fidelity.success.ratio";
    public static final String NOT_HELD_OUT_FACTOR = "qis.fidelity.not.held.out.factor";
    public static final String GAIN_EPSILON = "qis.fidelity.gain.epsilon";
    public static final String MAX_CANDIDATES = "qis.domain.candidates.max";
    public static final String MAX_PER_NODE = "qis.topk.max.per.node";
    public static final String SAME_TASK_WEIGHT = "qis.synthesis.weight.same.task";
    public static final String TAG_JACCARD_WEIGHT = "qis.synthesis.weight.tag.jaccard";
    public static final String SAME_FAMILY_WEIGHT = "qis.synthesis.weight.same.family";
    public static final String STARTUP_TIMEOUT = "qis.startup.timeout";
    /** How long a record from a node without a registered key waits for the key before it is rejected. */
    public static final String UNKNOWN_NODE_GRACE = "qis.unknown.node.grace";
    /** How often the records waiting for a node key are verified again. */
    public static final String UNKNOWN_NODE_RECHECK = "qis.unknown.node.recheck.interval";
    /** How many records may wait for node keys per task; past it the oldest is rejected. */
    public static final String UNKNOWN_NODE_MAX_HELD = "qis.unknown.node.max.held";

    public static final String DEFAULT_APPLICATION_ID = "qis-streams";
    public static final int DEFAULT_PARTITIONS = 6;

    private final Properties props;

    public QisConfig(Properties props) {
        this.props = new Properties();
        this.props.putAll(props);
    }

    public Properties raw() {
        Properties copy = new Properties();
        copy.putAll(props);
        return copy;
    }

    public String get(String key, String fallback) {
        String v = props.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.strip();
    }

    public int partitions() {
        return intValue(TOPIC_PARTITIONS, DEFAULT_PARTITIONS);
    }

    /** -1: the broker's default.replication.factor. */
    public short replicationFactor() {
        return (short) intValue(TOPIC_REPLICATION_FACTOR, -1);
    }

    public int prefixChars() {
        return intValue(PREFIX_CHARS, Topics.DEFAULT_PREFIX_CHARS);
    }

    public Duration startupTimeout() {
        return Duration.parse(get(STARTUP_TIMEOUT, "PT60S"));
    }

    public UnknownNodeGrace unknownNodeGrace() {
        UnknownNodeGrace d = UnknownNodeGrace.DEFAULTS;
        return new UnknownNodeGrace(duration(UNKNOWN_NODE_GRACE, d.grace()),
                duration(UNKNOWN_NODE_RECHECK, d.recheckInterval()), intValue(UNKNOWN_NODE_MAX_HELD, d.maxHeld()));
    }

    public FidelityParams fidelity() {
        FidelityParams d = FidelityParams.DEFAULTS;
        return new FidelityParams(
                Duration.parse(get(HALF_LIFE, d.halfLife().toString())),
                doubleValue(ROUTE_THRESHOLD, d.routeThreshold()),
                doubleValue(MIN_ROUTED_VOTE, d.minRoutedVote()),
                doubleValue(SUCCESS_RATIO, d.successRatio()),
                doubleValue(NOT_HELD_OUT_FACTOR, d.notHeldOutFactor()),
                doubleValue(GAIN_EPSILON, d.gainEpsilon()),
                intValue(MAX_CANDIDATES, d.maxCandidates()),
                intValue(MAX_PER_NODE, d.maxPerNode()),
                doubleValue(SAME_TASK_WEIGHT, d.sameTaskWeight()),
                doubleValue(TAG_JACCARD_WEIGHT, d.tagJaccardWeight()),
                doubleValue(SAME_FAMILY_WEIGHT, d.sameFamilyWeight()));
    }

    /**
     * The Kafka Streams properties: everything given, over these defaults — exactly-once v2, the classic group
     * protocol (IQ routing), explicit names for every store and internal topic, and the dead-letter topic with
     * handlers that write {@code Rejection} records to it.
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
        for (String name : props.stringPropertyNames()) {
            if (!name.startsWith("qis.")) {
                p.put(name, props.getProperty(name));
            }
        }
        return p;
    }

    private int intValue(String key, int fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'", e);
        }
    }

    private Duration duration(String key, Duration fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Duration.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as PT30S, got '" + v + "'", e);
        }
    }

    private double doubleValue(String key, double fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + v + "'", e);
        }
    }
}
