package dev.qis.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.Topics;
import dev.qis.testing.InJvmKafka;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Provisioning against topics someone else created: it adopts a consistent layout and refuses an inconsistent one. */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TopicProvisionerIT {
    @RegisterExtension
    static final InJvmKafka cluster = new InJvmKafka();

    @Test
    void outcomeTopicsWithDifferentPartitionCountsAreRefused() throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(Topics.OUTCOMES_PREFIX + "0", 2, (short) 1),
                    new NewTopic(Topics.VOTES, 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
            TopicProvisioner provisioner = new TopicProvisioner(admin, Duration.ofSeconds(30));
            PublishException e = assertThrows(PublishException.class,
                    () -> provisioner.ensure(new TopicLayout(3, (short) 1, 1)));
            assertTrue(e.getMessage().contains("same partition count"), e.getMessage());
            assertTrue(e.getMessage().contains("2=[qis.outcomes.0]") && e.getMessage().contains("4=[qis.votes]"),
                    e.getMessage());
            assertEquals(0, admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(Topics.OUTCOMES_PREFIX) && !t.endsWith(".0")).count(),
                    "nothing is created when the existing layout is inconsistent");
        }
    }
}
