import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ROOT } from '../helpers/system';

let validator: ReturnType<Ajv2020['compile']> | undefined;

/** Validates against host-view.schema.json with a real JSON Schema 2020-12 validator; returns the errors. */
export function hostViewSchemaErrors(value: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'host-view.schema.json'), 'utf8')));
  }
  return validator(value) ? [] : (validator.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}
