package dev.parley.bench.jmh;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import dev.parley.protocol.ServerFrame;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The frame codec on the hot path of a send: the server decodes every {@code send} and encodes one
 * {@code message} per delivery (so encoding is paid once per message or once per recipient, depending
 * on whether the server caches the encoded frame).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class FrameCodecBenchmark {
    private String sendJson;
    private String messageJson;
    private ClientFrame.Send send;
    private Message message;

    @Setup
    public void setup() {
        String body = "x".repeat(200);
        send = new ClientFrame.Send("42", "cnv_01m8hvmjkanagz2cyxeat1s65c", "c-1700000000000-42", body, EntryKind.TEXT,
                null, null, null);
        sendJson = Json.encode(send);
        message = new Message("cnv_01m8hvmjkanagz2cyxeat1s65c", 1234, "msg_01m8hvmjnh5psr5ybwmc0wnrw9",
                "usr_01m8hvmjk92dd22sd6kzq1xmv3", "dev_01m8hvmjk7kzrn18sfy27d7pbr", "c-1700000000000-42",
                EntryKind.TEXT, body, null, null, null, null, null, null, null, null, 1_764_000_000_000L);
        messageJson = Json.encode((ServerFrame) message);
    }

    @Benchmark
    public ClientFrame decodeSend() {
        return Json.decodeClientFrame(sendJson);
    }

    @Benchmark
    public String encodeSend() {
        return Json.encode((ClientFrame) send);
    }

    @Benchmark
    public String encodeMessage() {
        return Json.encode((ServerFrame) message);
    }

    @Benchmark
    public byte[] encodeMessageBytes() {
        return Json.encodeBytes((ServerFrame) message);
    }

    @Benchmark
    public ServerFrame decodeMessage() {
        return Json.decodeServerFrame(messageJson);
    }
}
