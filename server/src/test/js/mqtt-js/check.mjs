// Drives Parley's MQTT gateway with the npm mqtt client, over TCP (MQTT 5) and over the WebSocket at
// /v1/mqtt (MQTT 3.1.1). Prints one JSON line with what happened; MqttJsIT asserts on it.
// Usage: node check.mjs <mqttPort> <httpPort> <handle> <token> <conversationId> <foreignConversationId>
import mqtt from 'mqtt';

const [mqttPort, httpPort, handle, token, conversation, foreign] = process.argv.slice(2);
const result = {};

function nextMessage(client, topic) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message on ' + topic)), 10000);
    client.on('message', (t, payload, packet) => {
      if (t === topic) {
        clearTimeout(timer);
        resolve({ body: payload.toString('utf8'), props: (packet.properties || {}).userProperties || {} });
      }
    });
  });
}

const topic = 'conversations/' + conversation;

// MQTT 5 over TCP
const tcp = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
  protocolVersion: 5, username: handle, password: token, clientId: 'mqttjs-tcp', clean: true, reconnectPeriod: 0,
});
result.tcpGranted = (await tcp.subscribeAsync(topic, { qos: 1 })).map(g => g.qos);
try {
  result.foreignGranted = (await tcp.subscribeAsync('conversations/' + foreign, { qos: 1 })).map(g => g.qos);
} catch (e) {
  // mqtt.js turns a failure code in SUBACK into an error carrying the packet.
  result.foreignGranted = e.packet ? e.packet.granted : String(e.message);
}
const tcpGot = nextMessage(tcp, topic);
await tcp.publishAsync(topic, 'from mqtt.js over tcp', { qos: 1 });
result.tcpMessage = await tcpGot;
await tcp.endAsync();

// MQTT 3.1.1 over the WebSocket on the main port
const ws = await mqtt.connectAsync(`ws://127.0.0.1:${httpPort}/v1/mqtt`, {
  protocolVersion: 4, username: handle, password: token, clientId: 'mqttjs-ws', clean: true, reconnectPeriod: 0,
});
result.wsGranted = (await ws.subscribeAsync(topic, { qos: 1 })).map(g => g.qos);
const wsGot = nextMessage(ws, topic);
await ws.publishAsync(topic, 'from mqtt.js over websocket', { qos: 1 });
result.wsMessage = await wsGot;
await ws.endAsync();

// A bad token
try {
  const bad = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
    protocolVersion: 5, username: handle, password: 'pt_wrong', reconnectPeriod: 0,
  });
  result.badToken = 'accepted';
  await bad.endAsync();
} catch (e) {
  result.badToken = e.code === undefined ? String(e.message) : e.code;
}

console.log(JSON.stringify(result));
process.exit(0);
