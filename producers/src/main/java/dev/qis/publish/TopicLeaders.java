package dev.qis.publish;

import dev.qis.errors.Reason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * Waits until a just-created topic has a leader for every partition. Writing earlier gets NOT_LEADER_OR_FOLLOWER
 * retries, and on a fresh partition an idempotent producer's retries can end in out-of-order sequence errors.
 */
public final class TopicLeaders {
    private TopicLeaders() {
    }

    /** @throws PublishException when some partition still has no leader after {@code timeout} */
    public static void await(Admin admin, String topic, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
                if (!d.partitions().isEmpty() && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // not visible yet: try again until the deadline
            }
            if (System.nanoTime() > deadline) {
                throw new PublishException(Reason.TOPIC_SETUP_FAILED,
                        "topic " + topic + " has partitions without a leader after " + timeout.toMillis() + " ms");
            }
            Thread.sleep(50);
        }
    }
}
