package dev.parley.server.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.ServerFrame;
import org.junit.jupiter.api.Test;

/** {@link WsPeer}'s threading contract: what runs on the caller's thread and what on the socket's loop. */
class WsPeerTest {

    private static WsPeer peerOn(ManualExecutor loop) {
        RecordingSocket socket = new RecordingSocket();
        socket.loop = loop;
        return new WsPeer("con", socket, Runnable::run);
    }

    private static RecordingSocket socketOf(WsPeer p) {
        return (RecordingSocket) p.socket;
    }

    @Test
    void aReplyIsEncodedAndWrittenOnlyWhenTheSocketsLoopRunsIt() {
        ManualExecutor loop = new ManualExecutor();
        WsPeer p = peerOn(loop);
        p.reply(new ServerFrame.Pong("p1", 1L));
        assertThat(socketOf(p).written).isEmpty();
        loop.runAll();
        assertThat(socketOf(p).written).singleElement().asString().contains("\"t\":\"pong\"");
    }

    @Test
    void aReplyQueuedBeforeTheSocketClosedIsDropped() {
        ManualExecutor loop = new ManualExecutor();
        WsPeer p = peerOn(loop);
        p.reply(new ServerFrame.Pong("p1", 1L));
        p.markClosed();
        loop.runAll();
        assertThat(socketOf(p).written).isEmpty();
    }
}
