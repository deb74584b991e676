import { existsSync } from 'node:fs';

/**
 * Path of a system Chromium for browser tests (Debian's `chromium` package), or undefined.
 * Nothing is downloaded: without one, browser tests skip with a visible line, and fail
 * under CI=true, where .ci/run installs it.
 */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
