// `npm run openapi`: regenerates src/metadata.ts (Swagger plugin metadata) and the
// committed openapi.json from the code. CI's drift test fails when either is stale.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run([join(root, 'scripts', 'generate-metadata.mjs')]);
run([
  join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
  '-p',
  join(root, 'tsconfig.build.json'),
]);
run([join(root, 'scripts', 'write-openapi.mjs')]);
