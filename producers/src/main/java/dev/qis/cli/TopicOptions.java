package dev.qis.cli;

import dev.qis.errors.Reason;
import dev.qis.protocol.Topics;
import dev.qis.publish.TopicLayout;
import picocli.CommandLine.Option;

/** How missing topics are created: partition count (shared by every outcome topic and qis.votes) and replication. */
public final class TopicOptions {
    @Option(names = "--partitions", paramLabel = "N", defaultValue = "" + TopicLayout.DEFAULT_PARTITIONS,
            description = "partitions of each topic this command creates (all outcome topics and qis.votes share it; default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "-1",
            description = "replicas of each topic this command creates (default: the broker's default.replication.factor)")
    short replicationFactor;

    @Option(names = "--create-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "create missing protocol topics before writing (default: true; --no-create-topics on clusters where they are managed elsewhere)")
    boolean createTopics;

    public TopicLayout layout() {
        try {
            return new TopicLayout(partitions, replicationFactor, Topics.DEFAULT_PREFIX_CHARS);
        } catch (IllegalArgumentException e) {
            throw new InputException(Reason.INVALID_OPTION, e.getMessage(), e);
        }
    }
}
