import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { analyzeProbeOutput } from '../../src/core/report';
import { probeOutput, SEED_SECTIONS } from '../helpers/samples';
import { requireSystem, ROOT } from '../helpers/system';

const LOCAL_SCHEMA = join(ROOT, 'report.schema.json');
const SHARED_SCHEMA = join(ROOT, '..', 'shared', 'report.schema.json');

test('report.schema.json in the package is byte-identical to the published contract', (t) => {
  if (!requireSystem(t, `the shared contract ${SHARED_SCHEMA}`, existsSync(SHARED_SCHEMA), 'the repository sits beside ../shared in the workspace and in CI')) return;
  assert.ok(readFileSync(LOCAL_SCHEMA).equals(readFileSync(SHARED_SCHEMA)), `${LOCAL_SCHEMA} differs from ${SHARED_SCHEMA}: copy the contract, never edit one side`);
});

test('the schema compiles under JSON Schema 2020-12 and accepts the seed report', () => {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(LOCAL_SCHEMA, 'utf8')));
  const analysis = analyzeProbeOutput(probeOutput(SEED_SECTIONS), { kind: 'snapshot', name: 'seed' }, new Date('2026-01-01T00:00:00Z'));
  assert.ok(analysis.ok);
  const report = JSON.parse(JSON.stringify(analysis.report));
  assert.equal(validate(report), true, JSON.stringify(validate.errors));
  // and it is not a schema that accepts anything
  assert.equal(validate({ ...report, schemaVersion: 2 }), false);
  assert.equal(validate({ ...report, balloon: { ...report.balloon, currentBytes: 'lots' } }), false);
  assert.equal(validate({ ...report, collectedAt: 'yesterday' }), false);
});
