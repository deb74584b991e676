// Writes openapi.json from the built application (dist/), with no provider configured.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { openApiDocumentFor } = await import(join(root, 'dist', 'openapi', 'openapi-snapshot.js'));
const doc = await openApiDocumentFor(new Writable({ write: (_c, _e, cb) => cb() }));
writeFileSync(join(root, 'openapi.json'), `${JSON.stringify(doc, null, 2)}\n`);
process.stdout.write('wrote openapi.json\n');
process.exit(0);
