// Exits 0 when node_modules holds exactly the versions package-lock.json names, 1 otherwise
// (npm keeps its own record of what it installed in node_modules/.package-lock.json).
import { existsSync, readFileSync } from 'node:fs';

const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')).packages || {} : null);
const wanted = read('package-lock.json');
const have = read('node_modules/.package-lock.json');
const same = wanted && have && Object.entries(wanted).every(([path, p]) => path === '' || have[path]?.version === p.version);
process.exit(same ? 0 : 1);
