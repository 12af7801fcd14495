// Time-ordered UUIDs (version 7, RFC 9562 section 5.7): the clientMsgId of every send of this client.
// The server keeps each send's clientMsgId as its idempotency key in an index keyed by (conversation, device,
// clientMsgId): random (v4) ids land on a random leaf of the device's range, ids that grow with time after its
// last one. In the canonical lower-case text form, later ids of one generator sort later as strings.
//
// Layout, most significant first: 48 bits of Unix time in milliseconds, version 0111, a 42-bit counter (the 12
// bits of rand_a and the top 30 of rand_b), variant 10, 32 random bits. Monotonic per generator (RFC 9562
// section 6.2, method 1): the counter starts at a random value below 2^41 in each new millisecond and counts up
// for further ids in the same millisecond; if the clock goes back the last timestamp is kept and the counter
// keeps counting; a full counter moves the timestamp one millisecond on. Random bits: crypto.getRandomValues
// (available in insecure contexts too, unlike crypto.randomUUID). The Java SDK's generator is
// dev.parley.protocol.Uuid7, with the same layout.

const COUNTER_MAX = 2 ** 42 - 1;
const LOW = 2 ** 30; // the counter's low 30 bits go to rand_b, the rest to rand_a

/**
 * The canonical text of the UUIDv7 of the given fields (RFC 9562 section 5.7): unixMs (48 bits), randA (12
 * bits) and randB (62 bits, a BigInt); the version and variant bits are set, higher bits of each field ignored.
 */
export function layout(unixMs, randA, randB) {
  const bytes = new Uint8Array(16);
  let ts = unixMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ts % 256;
    ts = Math.floor(ts / 256);
  }
  bytes[6] = 0x70 | ((randA >>> 8) & 0x0f);
  bytes[7] = randA & 0xff;
  let b = BigInt.asUintN(62, BigInt(randB));
  for (let i = 15; i >= 8; i--) {
    bytes[i] = Number(b & 0xffn);
    b >>= 8n;
  }
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const h = Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The Unix time in milliseconds of a version 7 UUID's text. */
export function unixMs(id) {
  if (id[14] !== '7') throw new Error(`not a version 7 UUID: ${id}`);
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** A generator of time-ordered ids; `now` and `random` (fills a Uint32Array) are for tests. */
export class Uuid7 {
  constructor({ now = () => Date.now(), random = (words) => crypto.getRandomValues(words) } = {}) {
    this.now = now;
    this.random = random;
    this.last = -Infinity;
    this.counter = 0;
  }

  /** A new id, in canonical text form (8-4-4-4-12 lower-case hex). */
  next() {
    const words = this.random(new Uint32Array(3));
    const now = this.now();
    if (now > this.last) {
      this.last = now;
      this.counter = this.seed(words);
    } else if (this.counter < COUNTER_MAX) {
      this.counter++;
    } else {
      this.last++;
      this.counter = this.seed(words);
    }
    const randA = Math.floor(this.counter / LOW);
    const randB = (BigInt(this.counter % LOW) << 32n) | BigInt(words[2]);
    return layout(this.last, randA, randB);
  }

  /** A random start for the counter below 2^41: its top bit clear, so there is room to count. */
  seed(words) {
    return (words[0] & 0x1ff) * 2 ** 32 + words[1];
  }
}

const shared = new Uuid7();

/** A new time-ordered id from this page's generator: what every send's clientMsgId is. */
export function uuidv7() {
  return shared.next();
}
