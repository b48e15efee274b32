// The test command StrykerJS's command runner runs once per mutant (npm run test:mutation).
// Imports the unit tests into ONE process: `node --test` forks a process per file (~1.2 s each),
// this runs them in ~1 s, and the bail reporter ends it at the first failure. node:test sets a
// non-zero exit code when a test fails: what the command runner reads as "killed".
// MUTATION_TESTS (comma-separated file names in test/unit, or paths under test/) narrows the run for a partial run
// over one folder; a mutant then survives only if those tests miss it (a lower bound on the score).
// Always left out: fuzz.test.ts (13 s of the real probe through sh; Stryker does not mutate probe.sh).
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const slow = new Set(['fuzz.test.ts']);
const only = process.env.MUTATION_TESTS ? new Set(process.env.MUTATION_TESTS.split(',')) : undefined;
const files = readdirSync('test/unit')
  .filter((name) => name.endsWith('.test.ts') && !slow.has(name) && (!only || only.has(name)))
  .sort();
// An entry with a folder (ssh/config.test.ts) names a test file under test/ outside test/unit: the
// transport's vscode-free tests that start no server.
const elsewhere = only ? [...only].filter((name) => name.includes('/')).map((name) => `test/${name}`) : [];
for (const path of [...files.map((name) => `test/unit/${name}`), ...elsewhere]) await import(pathToFileURL(path).href);
