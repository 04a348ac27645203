package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Source;
import dev.relay.trail.Trail;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every message traced: the steps of a message's life in state/trail.jsonl, and relay trace / relay log over them. */
class TrailTest extends SteppedRelayTest {
    String cli(String... args) {
        dev.relay.testing.RelayCli.Result r = dev.relay.testing.RelayCli.run(dir, args);
        return r.code() + ":" + r.out() + r.err();
    }

    @Test
    void a_held_and_approved_reply_has_every_step_in_order_with_who_did_it() throws Exception {
        stepping("review: all\n");
        relay.coordinator.thenReply("Drop the users table.");
        Path envelope = relay.send("s1", "migration ready");
        // queued at the envelope's time: on this test's clock, not the machine's (or the order would hang on the hour)
        java.nio.file.Files.setLastModifiedTime(envelope, java.nio.file.attribute.FileTime.from(clock.instant()));
        String id = RelayRound.messageId(envelope);
        steps(2);
        new Inbox(relay.home.inboxFile(), clock).act(Inbox.Request.of(relay.open(Kind.HELD_REPLY).get(0).code(),
                Action.APPROVE, Source.PHONE));
        steps(3);
        assertEquals("Drop the users table.", relay.take("s1"));   // the agent reads input.txt and deletes it
        steps(1);

        List<Trail.Step> trace = Trail.of(new Trail(relay.home.trailFile()).read(), id);
        assertEquals(List.of("queued", "taken", "answered", "held", "approved", "dispatched", "read"),
                trace.stream().map(Trail.Step::step).toList(), trace.toString());
        assertEquals("s1", trace.get(0).session());
        assertEquals(relay.settings().model(), trace.get(2).by());
        assertEquals("Drop the users table.", trace.get(2).text());
        assertEquals("phone", trace.get(4).by());
        assertEquals("s1", trace.get(5).session());
        assertEquals("file", trace.get(5).by());
        for (int i = 1; i < trace.size(); i++) {
            assertTrue(!trace.get(i).instant().isBefore(trace.get(i - 1).instant()), "in time order: " + trace);
        }

        String printed = cli("trace", id.substring(0, 13));
        assertTrue(printed.startsWith("0:" + id), printed);
        assertTrue(printed.contains("approved   by phone (s1): Drop the users table."), printed);
        assertTrue(printed.contains("dispatched by file (s1)"), printed);
        assertTrue(cli("trace", "nope").startsWith("1:"));
        String queueId = new dev.relay.monitor.QueueItems(relay.home, Long.MAX_VALUE, clock)
                .idOf(dev.relay.monitor.QueueItems.Kind.ENVELOPE, envelope);
        assertTrue(cli("trace", queueId).startsWith("0:" + id), "the id `relay queue` showed: " + cli("trace", queueId));

        String log = cli("log", "--session", "s1", "--since", "2026-12-03T00:00:00Z");
        // the envelope's seven steps, and the approved reply sent as the operator's direct message
        assertEquals(8, log.lines().filter(l -> l.contains("(s1)")).count(), log);
        String json = cli("log", "--json");
        assertEquals(8, json.substring(2).lines().filter(l -> l.startsWith("{")).count(), json);
        assertTrue(cli("log", "--since", "soon").startsWith("2:"));
        assertTrue(Files.readString(relay.home.trailFile()).lines().allMatch(l -> l.startsWith("{\"at\":")));
    }

    @Test
    void an_operators_direct_message_is_traced_from_sent_to_read() {
        stepping("");
        relay.override("@s2: rebase on main, please");
        steps(2);
        assertEquals("rebase on main, please", relay.take("s2"));
        steps(1);
        List<Trail.Step> all = new Trail(relay.home.trailFile()).read();
        String name = all.stream().filter(s -> s.step().equals("sent")).findFirst().orElseThrow().message();
        assertEquals(List.of("sent", "dispatched", "read"), Trail.of(all, name).stream().map(Trail.Step::step).toList());
        assertEquals("operator", Trail.of(all, name).get(0).by());
    }
}
