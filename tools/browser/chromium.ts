/**
 * Headless Chromium for the browser tests (test/browser) and the docs screenshot
 * (tools/docs/trace-screenshot.ts): Debian's /usr/bin/chromium driven by playwright-core (which
 * downloads no browser), and a static file server on 127.0.0.1 for the pages it opens. Nothing here
 * reaches past the loopback interface: the flags turn off Chromium's own background traffic.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';

/** Debian's chromium package (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, no sandbox (root in CI), and none of Chromium's background network use. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Whether a browser test runs: it is skipped, with `reason`, only when Chromium is missing and this
 * is not CI; under CI (CI set) a missing Chromium makes launchChromium fail.
 */
export function chromiumAvailability(): { run: boolean; reason: string } {
  if (existsSync(CHROMIUM)) return { run: true, reason: '' };
  if (process.env.CI) return { run: true, reason: '' };
  return { run: false, reason: `${CHROMIUM} is missing (apt-get install chromium): browser tests SKIPPED; with CI set this is a failure` };
}

/** Launch headless Chromium; a missing binary is an Error saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium), as .ci/run does`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** What a page did wrong: console errors, uncaught exceptions, failed requests and HTTP errors, one line each. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console.error: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  return errors;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
  '.elf': 'application/octet-stream',
};

export interface StaticServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serve files on 127.0.0.1 at a port the system picks. `mounts` maps a URL prefix (`/app/`) to a
 * directory; `pages` maps an exact URL path to a body. A path that leaves its directory, or names
 * nothing, is a 404. GET and HEAD only.
 */
export async function serveFiles(mounts: Record<string, string>, pages: Record<string, { body: string | Uint8Array; type: string }> = {}): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const send = (code: number, type: string, body: string | Uint8Array): void => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'GET only\n');
    const page = pages[path];
    if (page !== undefined) return send(200, page.type, page.body);
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      const root = resolve(dir);
      const file = resolve(root, path.slice(prefix.length) || 'index.html');
      if (file !== root && !file.startsWith(root + sep)) break;
      try {
        if (!statSync(file).isFile()) break;
        return send(200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
      } catch { break; }
    }
    send(404, 'text/plain', `not found: ${path}\n`);
  });
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', ok); });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
