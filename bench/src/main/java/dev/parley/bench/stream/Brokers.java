package dev.parley.bench.stream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Private brokers for {@link StreamEngines}, each on a free loopback port with its own data folder, so the
 * harness may kill and restart them: {@code redis-server}, {@code nats-server -js}, and a single-node Kafka in
 * KRaft mode run as a separate JVM from the Kafka jars (classpath in the file {@code -Dkafka.cp}).
 */
final class Brokers {
    private Brokers() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void awaitPort(int port, Process p, Path log, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("broker exited: " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("broker not listening on " + port + ": " + Files.readString(log));
    }

    /** A broker process that can be killed (SIGKILL) and started again on the same port and data. */
    abstract static class Broker implements AutoCloseable {
        final int port;
        final Path dir;
        Process process;

        Broker(Path dir) throws IOException {
            this.port = freePort();
            this.dir = Files.createDirectories(dir);
        }

        abstract List<String> command() throws IOException;

        abstract String url();

        void start() throws Exception {
            Path log = dir.resolve("broker.log");
            process = new ProcessBuilder(command()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            awaitPort(port, process, log, Duration.ofSeconds(60));
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            if (process != null && process.isAlive()) {
                kill();
            }
        }
    }

    static final class Redis extends Broker {
        Redis(Path dir) throws IOException {
            super(dir);
        }

        @Override
        List<String> command() {
            return List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", dir.toString());
        }

        @Override
        String url() {
            return "redis://127.0.0.1:" + port;
        }
    }

    static final class Nats extends Broker {
        Nats(Path dir) throws IOException {
            super(dir);
        }

        @Override
        List<String> command() {
            return List.of("nats-server", "-a", "127.0.0.1", "-p", Integer.toString(port), "-js", "-sd",
                    dir.resolve("js").toString());
        }

        @Override
        String url() {
            return "nats://127.0.0.1:" + port;
        }
    }

    static final class Kafka extends Broker {
        private final int controllerPort;
        private final String classpath;
        private boolean formatted;

        Kafka(Path dir) throws IOException {
            super(dir);
            this.controllerPort = freePort();
            String cpFile = System.getProperty("kafka.cp");
            if (cpFile == null) {
                throw new IllegalStateException("-Dkafka.cp=<file with the kafka_2.13 classpath> is required");
            }
            this.classpath = Files.readString(Path.of(cpFile)).strip();
            Files.writeString(dir.resolve("server.properties"), String.join("\n",
                    "process.roles=broker,controller", "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"), "num.partitions=8",
                    "offsets.topic.replication.factor=1", "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1", "group.initial.rebalance.delay.ms=0", ""));
        }

        private String java() {
            return ProcessHandle.current().info().command().orElse("java");
        }

        @Override
        List<String> command() {
            return List.of(java(), "-Xmx512m", "-cp", classpath, "kafka.Kafka",
                    dir.resolve("server.properties").toString());
        }

        @Override
        void start() throws Exception {
            if (!formatted) {
                String id = org.apache.kafka.common.Uuid.randomUuid().toString();
                Process f = new ProcessBuilder(java(), "-cp", classpath, "kafka.tools.StorageTool", "format", "-t", id,
                        "-c", dir.resolve("server.properties").toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("format.log").toFile())).start();
                if (f.waitFor() != 0) {
                    throw new IllegalStateException("kafka storage format failed: "
                            + Files.readString(dir.resolve("format.log")));
                }
                formatted = true;
            }
            super.start();
        }

        @Override
        String url() {
            return "127.0.0.1:" + port;
        }
    }
}
