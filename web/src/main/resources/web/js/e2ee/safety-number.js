// The human-readable form of an MLS epoch authenticator (RFC 9420 §8.7), for two members to compare:
// 30 digits in six groups of five. A fixed encoding of the authenticator's bytes, not a derivation: the
// first 30 bytes are read as six big-endian 40-bit integers, each written modulo 100000 with five digits.
// The Java SDK renders it the same way (dev.parley.client.SafetyNumber); docs/e2ee.md, "Verifying a contact".

export const GROUPS = 6;
const BYTES_PER_GROUP = 5;

/** The 30 digits, grouped by five and separated by single spaces. */
export function safetyNumber(authenticator) {
  if (!authenticator || authenticator.length < GROUPS * BYTES_PER_GROUP) {
    throw new Error(`epoch authenticator too short: ${authenticator?.length ?? 0} bytes`);
  }
  const groups = [];
  for (let g = 0; g < GROUPS; g++) {
    let value = 0n;
    for (let i = 0; i < BYTES_PER_GROUP; i++) value = (value << 8n) | BigInt(authenticator[g * BYTES_PER_GROUP + i]);
    groups.push(String(value % 100000n).padStart(5, '0'));
  }
  return groups.join(' ');
}

/** Lower-case hex of the whole authenticator. */
export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
