// Unit tests of the clientMsgId generator (uuid7.js): RFC 9562 version 7 UUIDs, time-ordered per generator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Uuid7, layout, unixMs, uuidv7 } from '../../main/resources/web/js/uuid7.js';

const RFC_MS = 0x017f22e279b0; // 2022-02-22T19:22:22Z, the timestamp of RFC 9562's example (appendix A.6)
const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A seeded, non-cryptographic source of Uint32 words (xorshift), so failures repeat. */
function seeded(seed) {
  let x = seed >>> 0 || 1;
  return (words) => {
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      words[i] = x;
    }
    return words;
  };
}

const ones = (words) => words.fill(0xffffffff);

test('the layout matches the example of RFC 9562 (appendix A.6)', () => {
  const id = layout(RFC_MS, 0xcc3, 0x18c4dc0c0c07398fn);
  assert.equal(id, '017f22e2-79b0-7cc3-98c4-dc0c0c07398f');
  assert.equal(unixMs(id), RFC_MS);
});

test('every id is canonical, version 7, variant 10, with the clock time', () => {
  let now = RFC_MS;
  const ids = new Uuid7({ now: () => now, random: seeded(1) });
  for (let i = 0; i < 1000; i++) {
    if (i % 3 === 0) now++;
    const id = ids.next();
    assert.match(id, CANONICAL);
    assert.equal(unixMs(id), now);
  }
});

test('ids sort in creation order within and across milliseconds, without duplicates', () => {
  let now = RFC_MS;
  const ids = new Uuid7({ now: () => now, random: seeded(2) });
  const made = [];
  for (let ms = 0; ms < 50; ms++) {
    for (let i = 0; i < 200; i++) made.push(ids.next());
    now++;
  }
  for (let i = 1; i < made.length; i++) assert.ok(made[i - 1] < made[i], `${made[i - 1]} < ${made[i]}`);
  assert.equal(new Set(made).size, made.length);
});

test('a clock that goes back keeps the last timestamp and the order', () => {
  let now = RFC_MS + 10;
  const ids = new Uuid7({ now: () => now, random: seeded(3) });
  const before = ids.next();
  now = RFC_MS;
  const after = ids.next();
  assert.ok(after > before);
  assert.equal(unixMs(after), RFC_MS + 10);
});

test('the counter carries from rand_b into rand_a, as the Java generator does', () => {
  // All-ones random words seed the counter at its highest start value, 2^41 - 1 (same vectors as Uuid7Test).
  const ids = new Uuid7({ now: () => RFC_MS, random: ones });
  assert.equal(ids.next(), '017f22e2-79b0-77ff-bfff-ffffffffffff');
  assert.equal(ids.next(), '017f22e2-79b0-7800-8000-0000ffffffff');
});

test('a full counter moves the timestamp on', () => {
  const ids = new Uuid7({ now: () => RFC_MS, random: seeded(4) });
  ids.next();
  ids.counter = 2 ** 42 - 1;
  const next = ids.next();
  assert.equal(unixMs(next), RFC_MS + 1);
  assert.ok(next > layout(RFC_MS, 0xfff, (1n << 62n) - 1n));
});

test("the page's generator uses crypto.getRandomValues and the real clock", () => {
  const before = Date.now();
  const made = Array.from({ length: 2000 }, () => uuidv7());
  const after = Date.now();
  for (const id of made) {
    assert.match(id, CANONICAL);
    assert.ok(unixMs(id) >= before && unixMs(id) <= after + 1);
  }
  for (let i = 1; i < made.length; i++) assert.ok(made[i - 1] < made[i]);
  assert.equal(new Set(made).size, made.length);
});
