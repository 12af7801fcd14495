// Unit tests of the safety-number rendering (e2ee/safety-number.js): the same vectors as the Java SDK's
// SafetyNumberTest, so a browser and the SDK show the same digits for the same epoch authenticator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safetyNumber, toHex } from '../../main/resources/web/js/e2ee/safety-number.js';

const hex = (s) => Uint8Array.from(s.match(/../g), (b) => parseInt(b, 16));

test('renders six groups of five digits from the first thirty bytes', () => {
  assert.equal(safetyNumber(hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')),
    '09060 60585 12110 63635 15160 66685');
  assert.equal(safetyNumber(hex('d689dfcda24e5991148d167ed34cacf0d83e2c04800668bd7f0f7af5fe58e4b4')),
    '47106 29293 57452 04196 41439 51224');
});

test('reads each group as an unsigned forty-bit number', () => {
  assert.equal(safetyNumber(new Uint8Array(32).fill(0xff)), '27775 27775 27775 27775 27775 27775');
});

test('ignores bytes after the thirtieth and needs thirty', () => {
  const a = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  const b = a.slice();
  b[31] ^= 1;
  assert.equal(safetyNumber(b), safetyNumber(a));
  b[29] ^= 1;
  assert.notEqual(safetyNumber(b), safetyNumber(a));
  assert.throws(() => safetyNumber(new Uint8Array(29)));
});

test('hex is lower case and two digits a byte', () => {
  assert.equal(toHex(Uint8Array.of(0, 10, 255)), '000aff');
});
