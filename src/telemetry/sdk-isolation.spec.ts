import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Module specifiers a file imports (or re-exports) at load time: `import type` is erased. */
function loadTimeImports(text: string): string[] {
  const out: string[] = [];
  const statement = /^\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\sfrom\s+)?'([^']+)'/gm;
  for (let m = statement.exec(text); m !== null; m = statement.exec(text)) {
    if (m[1] === undefined) out.push(m[2]);
  }
  return out;
}

/**
 * "Tracing off costs nothing": nothing of the OpenTelemetry SDK may load with the app.
 * Only `otel-tracing.ts` imports it, and that module is only ever imported dynamically
 * (by TelemetryService, once tracing is configured on).
 */
describe('the OpenTelemetry SDK stays out of the app unless tracing is on', () => {
  const files = sources(SRC).map((path) => ({
    path: relative(SRC, path),
    text: readFileSync(path, 'utf8'),
  }));

  it('finds the sources (the check is not vacuous)', () => {
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['telemetry/otel-tracing.ts', 'telemetry/telemetry.service.ts']),
    );
  });

  it('imports @opentelemetry/* at load time only from telemetry/otel-tracing.ts', () => {
    const offenders = files
      .filter((f) => f.path !== 'telemetry/otel-tracing.ts')
      .filter((f) => loadTimeImports(f.text).some((s) => s.startsWith('@opentelemetry/')))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
    expect(
      loadTimeImports(files.find((f) => f.path === 'telemetry/otel-tracing.ts')!.text),
    ).toContain('@opentelemetry/sdk-trace-base');
  });

  it('imports otel-tracing only dynamically', () => {
    const staticUsers = files
      .filter((f) => loadTimeImports(f.text).some((s) => s.endsWith('/otel-tracing.js')))
      .map((f) => f.path);
    expect(staticUsers).toEqual([]);
    const dynamicUsers = files
      .filter((f) => f.text.includes("import('./otel-tracing.js')"))
      .map((f) => f.path);
    expect(dynamicUsers).toEqual(['telemetry/telemetry.service.ts']);
  });
});
