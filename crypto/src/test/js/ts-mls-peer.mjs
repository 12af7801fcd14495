// A ts-mls group member driven over stdin/stdout, one JSON object a line each way, by the crypto
// module's TsMlsInteropTest. Every MLS object crosses as a base64 MLSMessage (RFC 9420 §6), exactly
// as the Parley server carries it. Answers: {"ok":true,...} or {"ok":false,"error":"..."}.
// The member keeps one group; its state goes through encodeGroupState/decodeGroupState after every
// change, as the web client stores it, so the interop also covers ts-mls's state serialization.
import { createInterface } from "node:readline";
import {
  acceptAll,
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeGroupState,
  decodeMlsMessage,
  defaultCapabilities,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  generateKeyPackage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  processMessage,
} from "ts-mls";
import { defaultClientConfig } from "ts-mls/clientConfig.js";
import { verifyKeyPackage } from "ts-mls/keyPackage.js";
import { verifyLeafNodeSignatureKeyPackage } from "ts-mls/leafNode.js";

const impl = await getCiphersuiteImpl(getCiphersuiteFromName("MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519"));
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const b64 = (bytes) => Buffer.from(bytes).toString("base64");
const unb64 = (text) => new Uint8Array(Buffer.from(text, "base64"));

/** KeyPackages made here and not used yet: [{publicPackage, privatePackage}]. */
const pending = [];
/** The one group, kept only in its encoded form between commands. */
let encodedState;

function state() {
  if (!encodedState) throw new Error("no group");
  const decoded = decodeGroupState(encodedState, 0);
  if (!decoded) throw new Error("stored group state does not decode");
  return { ...decoded[0], clientConfig: defaultClientConfig };
}

function keep(newState) {
  encodedState = encodeGroupState(newState);
}

function decode(text, wireformat) {
  const decoded = decodeMlsMessage(unb64(text), 0);
  if (!decoded) throw new Error("not an MLSMessage");
  if (decoded[1] !== unb64(text).length) throw new Error("trailing bytes after the MLSMessage");
  const message = decoded[0];
  if (wireformat && message.wireformat !== wireformat) throw new Error(`expected ${wireformat}, got ${message.wireformat}`);
  return message;
}

function describe(s) {
  const members = [];
  s.ratchetTree.forEach((node, i) => {
    if (i % 2 === 0 && node && node.nodeType === "leaf") {
      members.push({ leaf: i / 2, identity: fromUtf8.decode(node.leaf.credential.identity) });
    }
  });
  return {
    epoch: Number(s.groupContext.epoch),
    epochAuthenticator: b64(s.keySchedule.epochAuthenticator),
    members,
  };
}

const commands = {
  async keyPackage({ identity }) {
    const kp = await generateKeyPackage(
      { credentialType: "basic", identity: utf8.encode(identity) },
      defaultCapabilities(),
      { notBefore: 0n, notAfter: 18446744073709551615n },
      [],
      impl,
    );
    pending.push(kp);
    return { keyPackage: b64(encodeMlsMessage({ version: "mls10", wireformat: "mls_key_package", keyPackage: kp.publicPackage })) };
  },

  /** ts-mls's own KeyPackage checks that do not need a group: both signatures, suite, version, distinct keys. */
  async checkKeyPackage({ keyPackage }) {
    const kp = decode(keyPackage, "mls_key_package").keyPackage;
    const problems = [];
    if (kp.cipherSuite !== "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519") problems.push(`ciphersuite ${kp.cipherSuite}`);
    if (kp.version !== "mls10") problems.push(`version ${kp.version}`);
    if (!(await verifyKeyPackage(kp, impl.signature))) problems.push("KeyPackage signature");
    if (!(await verifyLeafNodeSignatureKeyPackage(kp.leafNode, impl.signature))) problems.push("leaf signature");
    if (Buffer.compare(Buffer.from(kp.initKey), Buffer.from(kp.leafNode.hpkePublicKey)) === 0) problems.push("init key = encryption key");
    if (kp.leafNode.leafNodeSource !== "key_package") problems.push(`leaf source ${kp.leafNode.leafNodeSource}`);
    return { problems, identity: fromUtf8.decode(kp.leafNode.credential.identity) };
  },

  async create({ groupId, identity }) {
    const kp = await generateKeyPackage({ credentialType: "basic", identity: utf8.encode(identity) },
      defaultCapabilities(), { notBefore: 0n, notAfter: 18446744073709551615n }, [], impl);
    keep(await createGroup(utf8.encode(groupId), kp.publicPackage, kp.privatePackage, [], impl));
    return describe(state());
  },

  /** A Commit (PublicMessage, as Parley's Delivery Service requires) adding and removing members. */
  async commit({ adds = [], removes = [] }) {
    const proposals = [
      ...adds.map((text) => ({ proposalType: "add", add: { keyPackage: decode(text, "mls_key_package").keyPackage } })),
      ...removes.map((leaf) => ({ proposalType: "remove", remove: { removed: leaf } })),
    ];
    const result = await createCommit({ state: state(), cipherSuite: impl },
      { extraProposals: proposals, wireAsPublicMessage: true, ratchetTreeExtension: true });
    keep(result.newState);
    return {
      commit: b64(encodeMlsMessage(result.commit)),
      welcome: result.welcome ? b64(encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome: result.welcome })) : null,
      ...describe(result.newState),
    };
  },

  async join({ welcome }) {
    const w = decode(welcome, "mls_welcome").welcome;
    let lastError;
    for (let i = 0; i < pending.length; i++) {
      try {
        const joined = await joinGroup(w, pending[i].publicPackage, pending[i].privatePackage, emptyPskIndex, impl);
        pending.splice(i, 1);
        keep(joined);
        return describe(state());
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError ?? new Error("no KeyPackage pending");
  },

  async send({ text }) {
    const result = await createApplicationMessage(state(), utf8.encode(text), impl);
    keep(result.newState);
    return { message: b64(encodeMlsMessage({ version: "mls10", wireformat: "mls_private_message", privateMessage: result.privateMessage })) };
  },

  /** A Commit (PublicMessage) or an application message (PrivateMessage) from another member. */
  async process({ message }) {
    const m = decode(message);
    if (m.wireformat !== "mls_public_message" && m.wireformat !== "mls_private_message") throw new Error(`cannot process ${m.wireformat}`);
    const result = await processMessage(m, state(), emptyPskIndex, acceptAll, impl);
    keep(result.newState);
    if (result.kind === "applicationMessage") return { kind: "application", text: fromUtf8.decode(result.message), ...describe(result.newState) };
    return { kind: "commit", ...describe(result.newState) };
  },

  async describe() {
    return describe(state());
  },
};

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const request = JSON.parse(line);
    const command = commands[request.op];
    if (!command) throw new Error(`unknown op ${request.op}`);
    answer = { ok: true, ...(await command(request)) };
  } catch (e) {
    answer = { ok: false, error: String(e?.message ?? e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
