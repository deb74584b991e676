// `npm start`: builds when dist/ is missing or older than the sources, then runs the server.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const stale =
  !existsSync(entry) ||
  newestMtime(join(root, 'src')) > statSync(entry).mtimeMs ||
  statSync(join(root, 'package.json')).mtimeMs > statSync(entry).mtimeMs;
if (stale) {
  process.stderr.write('tollgate: building…\n');
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'],
    {
      stdio: 'inherit',
      cwd: root,
    },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import(entry);
