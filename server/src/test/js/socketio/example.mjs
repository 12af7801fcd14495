// The example of docs/protocol.md, section "Socket.IO" (SocketIoIT runs it, so it stays true).
// Usage: node example.mjs <server url> <session token> <conversationId>
import { io } from "socket.io-client";

const [url, token, conversationId] = process.argv.slice(2);
const socket = io(url, { auth: { token } });

socket.on("connect_error", (err) => {
  console.log("connect_error:", err.message); // "unauthorized" for a bad token
  socket.close();
});
socket.on("message", (m) => console.log("message event:", m.seq, m.senderId, m.body));

socket.on("connect", async () => {
  const ack = await socket.emitWithAck("send", {
    conversationId,
    clientMsgId: "example-1",
    body: "Hello from socket.io-client",
  });
  if (ack.error) {
    console.log("send refused:", ack.error.code, ack.error.message);
  } else {
    console.log("send acked: seq", ack.seq, "sentAtMs", ack.sentAtMs);
  }
  const page = await socket.emitWithAck("sync", { conversationId, afterSeq: 0 });
  console.log("sync acked:", page.messages.map((m) => `${m.seq}:${m.body}`), "hasMore", page.hasMore);
  setTimeout(() => socket.close(), 200);
});
