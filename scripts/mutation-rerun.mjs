// Re-runs the surviving mutants of a Stryker JSON report (test-results/mutation.json of `npm run test:mutation`)
// against the current tests, one at a time: each mutant is spliced into a copy of its source file, the same test
// command as the Stryker run runs (scripts/mutation-tests.mjs, MUTATION_TESTS narrowing it), and the file is put
// back. Cheaper than a whole new run after new tests (only the survivors run), with the same kill criterion.
//   node scripts/mutation-rerun.mjs REPORT.json src/core/facts.ts facts.test.ts,rules.test.ts
// The source must be unchanged since the run (else it stops: run Stryker again). ONLY_FROM=FILE re-runs only the
// mutants listed (as this script prints them) in FILE. Run it in a copy of the checkout: the file is rewritten meanwhile.
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const [,, reportFile, path, tests] = process.argv;
const data = JSON.parse(readFileSync(reportFile, 'utf8')).files[path];
const original = readFileSync(path, 'utf8');
if (data.source !== original) { console.error(`${path} changed since the run`); process.exit(2); }
const offsets = [0];
for (let i = 0; i < original.length; i++) if (original[i] === '\n') offsets.push(i + 1);
const at = (loc) => offsets[loc.line - 1] + loc.column - 1;
let survivors = data.mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage');
if (process.env.ONLY_FROM) {
  const keep = readFileSync(process.env.ONLY_FROM, 'utf8');
  survivors = survivors.filter((m) => keep.includes(`  ${m.location.start.line}:${m.location.start.column} ${m.mutatorName}:`));
}
let killed = 0;
const left = [];
try {
  for (const m of survivors) {
    const mutated = original.slice(0, at(m.location.start)) + m.replacement + original.slice(at(m.location.end));
    writeFileSync(path, mutated);
    const run = spawnSync('node', ['--import', 'tsx', '--test-reporter=./scripts/mutation-bail-reporter.mjs', 'scripts/mutation-tests.mjs'], { env: { ...process.env, MUTATION_TESTS: tests }, encoding: 'utf8', timeout: 60000 });
    if (run.status !== 0) killed++; else left.push(m);
  }
} finally {
  writeFileSync(path, original);
}
console.log(`${path}: ${survivors.length} survivors re-run, ${killed} now killed, ${left.length} left`);
const lines = original.split('\n');
for (const m of left) {
  const l = m.location.start.line;
  console.log(`  ${l}:${m.location.start.column} ${m.mutatorName}: ${JSON.stringify(lines[l - 1].slice(m.location.start.column - 1, m.location.start.column + 60))} -> ${JSON.stringify(m.replacement).slice(0, 80)}`);
}
