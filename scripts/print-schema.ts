// Prints the Pothos schema to schema/schema.graphql; with --check, fails when the file is stale.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { schema } from '../src/schema/index.ts';

const target = new URL('../schema/schema.graphql', import.meta.url);
const printed = `${printSchema(schema)}\n`;

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== printed) {
    console.error('schema/schema.graphql is stale: run `npm run schema` and commit the result.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date.');
} else {
  await mkdir(new URL('.', target), { recursive: true });
  await writeFile(target, printed);
  console.log('wrote schema/schema.graphql');
}
