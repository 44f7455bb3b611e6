package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.FieldRules;
import dev.qis.protocol.Topics;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.Test;

/** Domain topic names: simple tasks keep their names, none collide in Kafka's sense, all are valid topic names. */
class DomainTopicNamesTest {

    @Test
    void aTaskWithoutAnUnderscoreNamesItsTopicAsItIs() {
        assertEquals("qis.domain.code-review", Topics.domain("code-review"));
        assertEquals("qis.domain.a.b", Topics.domain("a.b"));
    }

    @Test
    void dotAndUnderscoreTasksNoLongerCollide() {
        String dotted = Topics.domain("a.b");
        String underscored = Topics.domain("a_b");
        assertTrue(underscored.startsWith("qis.domain.a-b."), underscored);
        assertFalse(Topic.hasCollision(dotted, underscored), dotted + " and " + underscored);
        assertFalse(Topic.hasCollision(Topics.domain("a_b-c"), Topics.domain("a-b_c")));
        assertFalse(Topic.hasCollision(Topics.domain("a_b"), Topics.domain("a-b")));
    }

    @Test
    void theLongestTaskNamesAValidTopic() {
        String longest = Topics.domain("_".repeat(FieldRules.MAX_TASK_CHARS));
        Topic.validate(longest);
        assertTrue(longest.length() <= Topics.MAX_TOPIC_NAME_CHARS, longest);
        assertFalse(Topic.hasCollision(Topics.DOMAIN_OVERFLOW, longest));
    }

    @Property
    void noTwoTasksCollide(@ForAll("tasks") String a, @ForAll long swaps) {
        // b: a with some of its '.', '_' and '-' swapped for one another, the pairs that could collide
        java.util.Random random = new java.util.Random(swaps);
        StringBuilder b = new StringBuilder(a);
        for (int i = 0; i < b.length(); i++) {
            if ("._-".indexOf(b.charAt(i)) >= 0 && random.nextBoolean()) {
                b.setCharAt(i, "._-".charAt(random.nextInt(3)));
            }
        }
        String ta = Topics.domain(a);
        String tb = Topics.domain(b.toString());
        Topic.validate(ta);
        assertTrue(ta.length() <= Topics.MAX_TOPIC_NAME_CHARS);
        assertEquals(a.contentEquals(b), Topic.hasCollision(ta, tb) || ta.equals(tb), a + " / " + b + ": " + ta + " / " + tb);
        assertFalse(Topic.hasCollision(ta, Topics.DOMAIN_OVERFLOW));
    }

    @Provide
    Arbitrary<String> tasks() {
        // a small alphabet so that tasks differing only by '.', '_' and '-' come up often
        return Arbitraries.strings().withChars("ab._-").ofMinLength(1).ofMaxLength(FieldRules.MAX_TASK_CHARS);
    }
}
