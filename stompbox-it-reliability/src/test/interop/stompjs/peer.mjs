// The stompjs peer of Stompbox's interop tests (InteropTest), over WebSocket with ws. Install with npm ci.
//
//   node peer.mjs send    WS_URL DESTINATION COUNT LOGIN PASSCODE VHOST TIMEOUT_MS
//   node peer.mjs receive WS_URL DESTINATION COUNT LOGIN PASSCODE VHOST TIMEOUT_MS
//
// send: COUNT messages, each with a receipt, all awaited; prints "RECEIPTED n".
// receive: subscribes with ack client-individual, prints "MSG index hex(body) hex(x-escape) hex(x-utf8) receipt"
// per message and acks it (STOMP 1.2: id = the MESSAGE's ack header), with a receipt; prints "DONE n".
// The content of message i is defined once, in InteropTest, and mirrored here.
import { Client } from '@stomp/stompjs';
import WebSocket from 'ws';

const ESCAPED = 'colon:newline\nbackslash\\end';
const UTF8 = 'grüße ✓ 日本';

const [mode, url, destination, countText, login, passcode, vhost, timeoutText] = process.argv.slice(2);
const count = Number(countText);
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const utf8Hex = (text) => Buffer.from(text ?? '', 'utf8').toString('hex');

function body(i) {
  const tail = Buffer.from(`#${i}`, 'ascii');
  const out = new Uint8Array(256 + tail.length);
  for (let b = 0; b < 256; b++) out[b] = b;
  out.set(tail, 256);
  return out;
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

setTimeout(() => fail('timed out'), Number(timeoutText)).unref();

const client = new Client({
  connectHeaders: { login, passcode, host: vhost },
  reconnectDelay: 0,
  heartbeatIncoming: 0,
  heartbeatOutgoing: 0,
  webSocketFactory: () => {
    const ws = new WebSocket(url, ['v12.stomp']);
    ws.binaryType = 'arraybuffer';
    return ws;
  },
  debug: () => {},
});
client.onStompError = (frame) => fail(`ERROR frame: ${JSON.stringify(frame.headers)} ${frame.body}`);
client.onWebSocketError = (event) => fail(`WebSocket error: ${event.message ?? event}`);

function receipted(id) {
  return new Promise((resolve) => client.watchForReceipt(id, resolve));
}

client.onConnect = async () => {
  if (mode === 'send') {
    const waits = [];
    for (let i = 0; i < count; i++) {
      const receipt = `js-${i}`;
      waits.push(receipted(receipt));
      client.publish({
        destination,
        binaryBody: body(i),
        headers: { 'x-escape': ESCAPED, 'x-utf8': UTF8, 'x-index': String(i), receipt },
      });
    }
    await Promise.all(waits);
    console.log(`RECEIPTED ${count}`);
  } else if (mode === 'receive') {
    const acked = [];
    let n = 0;
    await new Promise((resolve) => {
      client.subscribe(destination, (message) => {
        if (n >= count) return;
        const h = message.headers;
        console.log(`MSG ${h['x-index']} ${hex(message.binaryBody)} ${utf8Hex(h['x-escape'])} ${utf8Hex(h['x-utf8'])} ${h.receipt ?? '-'}`);
        const receipt = `js-ack-${n}`;
        acked.push(receipted(receipt));
        message.ack({ receipt });
        if (++n === count) resolve();
      }, { id: 'js-sub', ack: 'client-individual' });
    });
    await Promise.all(acked);
    console.log(`DONE ${count}`);
  } else {
    fail(`unknown mode ${mode}`);
  }
  await client.deactivate();
  process.exit(0);
};
client.activate();
