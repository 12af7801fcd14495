// Copies the browser's MLS library (ts-mls and what it imports) from node_modules into the web
// client's classpath folder, as plain ES modules the server serves from its own origin.
//
//   node src/build/vendor.mjs <node_modules dir> <output dir (…/web/vendor)> <entry>...
//
// Browsers resolve only relative and absolute module specifiers; an import map would resolve the
// bare ones ("@noble/curves/ed25519.js"), but it must be an inline script, which the web client's
// Content-Security-Policy (script-src 'self') forbids. So this walks the module graph from the entries
// (static imports, re-exports and dynamic imports), copies each module reached, and rewrites every bare
// specifier to the relative path of the file that the package's "exports" map names for the "import"
// condition. A dynamic import of an optional package that is not installed is left as it is: it fails
// only if that code runs (ciphersuites other than 1). Nothing is bundled or minified: the served files
// are the published files, but for those specifiers. Each package's LICENSE is copied beside it.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const [modulesDir, outDir, ...entries] = process.argv.slice(2).map((a, i) => (i < 2 ? resolve(a) : a));
if (!modulesDir || !outDir || !entries.length) {
  console.error('usage: vendor.mjs <node_modules> <out> <entry specifier>...');
  process.exit(2);
}

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\2/g;
const packages = new Map(); // name -> {dir, json}

function packageOf(name) {
  if (!packages.has(name)) {
    const dir = join(modulesDir, name);
    const file = join(dir, 'package.json');
    packages.set(name, existsSync(file) ? { dir, json: JSON.parse(readFileSync(file, 'utf8')) } : null);
  }
  return packages.get(name);
}

function exportTarget(value) {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return exportTarget(value.import ?? value.browser ?? value.default);
  return null;
}

/** The file a bare specifier names, or null when its package is not installed. */
function resolveBare(specifier) {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const pkg = packageOf(name);
  if (!pkg) return null;
  const sub = '.' + specifier.slice(name.length);
  const exportsMap = pkg.json.exports;
  let target = null;
  if (exportsMap && typeof exportsMap === 'object' && !Array.isArray(exportsMap) && Object.keys(exportsMap)[0]?.startsWith('.')) {
    if (sub in exportsMap) target = exportTarget(exportsMap[sub]);
    else {
      for (const [key, value] of Object.entries(exportsMap)) {
        const star = key.indexOf('*');
        if (star < 0) continue;
        const [before, after] = [key.slice(0, star), key.slice(star + 1)];
        if (sub.startsWith(before) && sub.endsWith(after) && sub.length >= key.length - 1) {
          const middle = sub.slice(before.length, sub.length - after.length);
          target = exportTarget(value)?.replaceAll('*', middle);
          break;
        }
      }
    }
  } else if (sub === '.') {
    target = exportTarget(exportsMap) ?? pkg.json.module ?? pkg.json.main ?? 'index.js';
  } else {
    target = sub;
  }
  if (!target) throw new Error(`${specifier}: not exported by ${name}`);
  return { name, file: join(pkg.dir, target) };
}

const done = new Set();
const licensed = new Set();
let count = 0;
let bytes = 0;

function outPath(file) {
  return join(outDir, relative(modulesDir, file));
}

function copyModule(file, packageName) {
  if (done.has(file)) return;
  done.add(file);
  if (!licensed.has(packageName)) {
    licensed.add(packageName);
    const license = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].map((n) => join(modulesDir, packageName, n)).find(existsSync);
    if (license) {
      mkdirSync(outPath(dirname(license)), { recursive: true });
      copyFileSync(license, outPath(license));
    }
  }
  const source = readFileSync(file, 'utf8');
  const next = [];
  // Examples in comments ("import { hmac } from '@noble/hashes/hmac'") are left alone.
  const comments = [...source.matchAll(/\/\*[\s\S]*?\*\/|(?<![:"'\\])\/\/[^\n]*/g)].map((m) => [m.index, m.index + m[0].length]);
  const inComment = (at) => comments.some(([from, to]) => at >= from && at < to);
  const rewritten = source.replace(SPECIFIER, (match, lead, quote, spec, at) => {
    if (inComment(at)) return match;
    if (spec.startsWith('./') || spec.startsWith('../')) {
      next.push([resolve(dirname(file), spec), packageName]);
      return match;
    }
    if (spec.startsWith('/') || spec.includes(':')) return match;
    const target = resolveBare(spec);
    if (!target) {
      if (!/import\s*\(/.test(lead)) throw new Error(`${file}: static import of ${spec}, which is not installed`);
      return match; // optional, not installed: only fails if that code path runs
    }
    next.push([target.file, target.name]);
    let rel = relative(dirname(outPath(file)), outPath(target.file)).split('\\').join('/');
    if (!rel.startsWith('.')) rel = './' + rel;
    return `${lead}${quote}${rel}${quote}`;
  });
  mkdirSync(dirname(outPath(file)), { recursive: true });
  writeFileSync(outPath(file), rewritten);
  count++;
  bytes += Buffer.byteLength(rewritten);
  for (const [f, p] of next) copyModule(f, p);
}

for (const entry of entries) {
  const target = resolveBare(entry);
  if (!target) throw new Error(`${entry} is not installed in ${modulesDir}`);
  copyModule(target.file, target.name);
}
console.log(`vendored ${count} modules (${Math.round(bytes / 1024)} KiB) into ${outDir}`);
