// Checks that tests/node_modules holds exactly what tests/package-lock.json pins: every
// package at its locked version (not just present, and not just in range), and a node
// new enough for the tests. Exits 1 with what is wrong and what to run; prints nothing
// when all is well. Used by scripts/install-deps.sh (to decide whether to install), the
// browser test scripts and scripts/check-js.sh (which install nothing themselves).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The oldest node the tests run on (node:test, fetch, structuredClone). */
const NODE_MAJOR = 20;

const here = dirname(fileURLToPath(import.meta.url));
const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'));
const problems = [];
const major = Number(process.versions.node.split('.')[0]);
if (major < NODE_MAJOR) problems.push(`node ${process.versions.node} is older than ${NODE_MAJOR}`);
for (const [path, entry] of Object.entries(lock.packages)) {
  if (path === '' || entry.link) continue;
  const manifest = join(here, path, 'package.json');
  if (!existsSync(manifest)) {
    // Optional packages (platform-specific builds) may rightly be absent.
    if (!entry.optional) problems.push(`${path}: missing (locked ${entry.version})`);
    continue;
  }
  const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
  if (version !== entry.version) problems.push(`${path}: ${version}, locked ${entry.version}`);
}
if (problems.length) {
  const shown = problems.slice(0, 10).join('\n  ');
  const more = problems.length > 10 ? `\n  … and ${problems.length - 10} more` : '';
  console.error(`tests/node_modules does not match tests/package-lock.json:\n  ${shown}${more}\n` +
    'Install the locked versions with: bash scripts/install-deps.sh (or npm ci --prefix tests)');
  process.exit(1);
}
