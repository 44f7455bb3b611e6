package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.Topics;
import dev.qis.publish.TopicLayout;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Wait;
import dev.qis.topics.AdminDomainTopics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Domain topic creation against a real broker: created once, capped (further domains go to the overflow topic),
 * and a creation the broker refuses sends its packets to the overflow topic instead of holding the stream thread; a
 * creation started ahead (when ingest accepts a packet) has the topic there by the time the packet is routed.
 */
@Tag("integration")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AdminDomainTopicsIT {
    private static final TopicLayout ONE_PARTITION = new TopicLayout(1, TopicLayout.BROKER_DEFAULT_REPLICATION, 1);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();
    private static Admin admin;

    @BeforeAll
    static void startKafka() {
        admin = kafka.admin();
    }

    @AfterAll
    static void stopKafka() {
        admin.close();
    }

    private static String unique() {
        return "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Set<String> topics() throws Exception {
        return admin.listTopics().names().get(30, TimeUnit.SECONDS);
    }

    @Test
    void createsADomainTopicOnceAndNamesItCollisionFree() throws Exception {
        AdminDomainTopics domains = new AdminDomainTopics(admin, ONE_PARTITION, 100, WAIT, Duration.ofSeconds(30),
                Clock.systemUTC());
        String dotted = unique() + ".x";
        String underscored = dotted.replace('.', '_');
        assertEquals(Topics.domain(dotted), domains.ensure(dotted));
        assertEquals(Topics.domain(underscored), domains.ensure(underscored), "both exist: the names do not collide");
        assertEquals(Topics.domain(dotted), domains.ensure(dotted));
        // a topic the controller has created reaches the broker's metadata, and so the listing, a moment later
        Wait.waitFor(() -> topics().containsAll(List.of(Topics.domain(dotted), Topics.domain(underscored))), WAIT,
                () -> "both domain topics listed");
    }

    @Test
    void pastTheCapPacketsGoToTheOverflowTopic() throws Exception {
        String existing = unique();
        admin.createTopics(List.of(new NewTopic(Topics.domain(existing), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        // the listing shows a created topic a moment later: count only once it is there, or the two counts differ
        Wait.waitFor(() -> topics().contains(Topics.domain(existing)), WAIT, () -> "the existing domain topic listed");
        AdminDomainTopics domains = new AdminDomainTopics(admin, ONE_PARTITION, 0, WAIT, Duration.ofSeconds(30),
                Clock.systemUTC());
        int before = domains.loadExisting(WAIT);
        assertTrue(before >= 1, "the existing domain topic is counted");
        AdminDomainTopics capped = new AdminDomainTopics(admin, ONE_PARTITION, before + 1, WAIT,
                Duration.ofSeconds(30), Clock.systemUTC());
        assertEquals(before, capped.loadExisting(WAIT));
        assertEquals(Topics.domain(existing), capped.ensure(existing), "an existing topic is used, past the cap too");
        String first = unique();
        String second = unique();
        assertEquals(Topics.domain(first), capped.ensure(first), "one more fits under the cap");
        assertEquals(Topics.DOMAIN_OVERFLOW, capped.ensure(second), "the next domain is past the cap");
        assertFalse(topics().contains(Topics.domain(second)), "and its topic is not created");
    }

    @Test
    void aRefusedCreationRoutesToTheOverflowTopicAndIsTriedAgainLater() throws Exception {
        // replication 3 on a single broker: the broker refuses every creation
        TopicLayout unsatisfiable = new TopicLayout(1, (short) 3, 1);
        long[] now = {0};
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return java.time.Instant.ofEpochMilli(now[0]);
            }
        };
        AdminDomainTopics domains = new AdminDomainTopics(admin, unsatisfiable, 100, WAIT, Duration.ofSeconds(30), clock);
        String domain = unique();
        assertEquals(Topics.DOMAIN_OVERFLOW, domains.ensure(domain));
        assertEquals(Topics.DOMAIN_OVERFLOW, domains.ensure(domain), "within the back-off: straight to the overflow");
        now[0] += Duration.ofSeconds(31).toMillis();
        assertEquals(Topics.DOMAIN_OVERFLOW, domains.ensure(domain), "tried again, refused again");
        assertFalse(topics().contains(Topics.domain(domain)));
    }

    @Test
    void aPreparedTopicIsThereWhenItsFirstPacketIsRoutedWithoutWaiting() throws Exception {
        // no wait at all: only a creation started ahead (as ingest starts it) gets the first packet to its topic
        AdminDomainTopics domains = new AdminDomainTopics(admin, ONE_PARTITION, 100, Duration.ZERO,
                Duration.ofSeconds(30), Clock.systemUTC());
        String domain = unique();
        domains.prepare(domain);
        domains.prepare(domain);
        Wait.waitFor(() -> topics().contains(Topics.domain(domain)), WAIT, () -> "the prepared topic listed");
        assertEquals(Topics.domain(domain), domains.ensure(domain), "the first packet goes to its domain topic");

        AdminDomainTopics capped = new AdminDomainTopics(admin, ONE_PARTITION, 0, WAIT, Duration.ofSeconds(30),
                Clock.systemUTC());
        String past = unique();
        capped.prepare(past);
        assertEquals(Topics.DOMAIN_OVERFLOW, capped.ensure(past), "past the cap nothing is prepared");
        assertFalse(topics().contains(Topics.domain(past)), "nor created");
    }

    @Test
    void packetsThatCannotWaitForACreationGoToTheOverflowTopicUntilItIsDone() throws Exception {
        // no wait at all: every packet until the background creation completes goes to the overflow topic
        AdminDomainTopics domains = new AdminDomainTopics(admin, ONE_PARTITION, 100, Duration.ZERO,
                Duration.ofSeconds(30), Clock.systemUTC());
        String domain = unique();
        List<String> answers = new java.util.ArrayList<>();
        Wait.waitFor(() -> {
            answers.add(domains.ensure(domain));
            return Topics.domain(domain).equals(answers.get(answers.size() - 1));
        }, WAIT, () -> "the topic created: " + answers);
        assertTrue(answers.subList(0, answers.size() - 1).stream().allMatch(Topics.DOMAIN_OVERFLOW::equals), answers::toString);
        Wait.waitFor(() -> topics().contains(Topics.domain(domain)), WAIT, () -> "the domain topic listed");
    }
}
