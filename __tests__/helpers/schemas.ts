import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';

/** The JSON Schemas in schemas/, compiled once (ajv, strict), to check real outputs against. */
export type SchemaName = 'manifest' | 'plan' | 'reproducibility' | 'report';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_DIR = path.resolve(here, '../../schemas');

// ajv is CommonJS: under NodeNext interop its class is the module's `default`.
const Ajv2020 = Ajv2020Module.default;

export async function loadSchemas(): Promise<(name: SchemaName, value: unknown) => string[]> {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const f of (await fs.readdir(SCHEMA_DIR)).filter((x) => x.endsWith('.schema.json')).sort())
    ajv.addSchema(JSON.parse(await fs.readFile(path.join(SCHEMA_DIR, f), 'utf8')) as object);
  return (name, value) => {
    const validate = ajv.getSchema(`${name}.schema.json`);
    if (!validate) throw new Error(`no schema ${name}.schema.json in ${SCHEMA_DIR}`);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };
}
