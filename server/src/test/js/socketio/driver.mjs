// A socket.io-client 4.x driven over stdin/stdout by SocketIoIT: one JSON command per input line,
// one JSON report per output line. Usage:
//   node driver.mjs <port> <token> <transports> [query]
// <transports>: "websocket", "polling" or "polling,websocket" (polling first, then the upgrade).
// "query" puts the token in the query string instead of the handshake's auth (which must not work).
// Commands: {"op":"emit","ref":"r1","event":"send","arg":{...}}   -> {"type":"ack","ref":"r1","value":...}
//           {"op":"close"}                                        -> disconnects and exits
// Reports:  connect, connect_error, upgrade, event (name, arg), disconnect.
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const [port, token, transports, mode] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const options = {
  transports: transports.split(","),
  reconnection: false,
  timeout: 10000,
};
if (mode === "query") {
  options.query = { token };
} else {
  options.auth = { token };
}
const socket = io(`http://127.0.0.1:${port}`, options);

// The engine exists as soon as io() returns; listen for the upgrade from the start, since on a fast server it
// can complete before the namespace's "connect" arrives.
socket.io.engine.on("upgrade", (t) => out({ type: "upgrade", transport: t.name }));
socket.on("connect", () => {
  out({ type: "connect", transport: socket.io.engine.transport.name });
});
socket.on("connect_error", (err) => out({ type: "connect_error", message: err.message }));
socket.on("disconnect", (reason) => out({ type: "disconnect", reason }));
socket.onAny((name, arg) => out({ type: "event", name, arg }));

const finish = () => {
  socket.disconnect();
  setTimeout(() => process.exit(0), 100);
};
createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const cmd = JSON.parse(line);
  if (cmd.op === "emit") {
    socket.emit(cmd.event, cmd.arg, (value) => out({ type: "ack", ref: cmd.ref, value }));
  } else if (cmd.op === "emitNoAck") {
    socket.emit(cmd.event, cmd.arg);
  } else if (cmd.op === "close") {
    finish();
  }
}).on("close", finish);
