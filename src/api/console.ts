import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Response } from 'express';

/** The console's sources (a Preact app, console/src); bundled by esbuild, served from memory. */
const CONSOLE_DIR = join(__dirname, '..', '..', 'console');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Weft console</title>
<link rel="stylesheet" href="/console/app.css">
</head>
<body>
<div id="app"></div>
<noscript>The Weft console needs JavaScript. The API itself is at /api/v1 (reference: /docs).</noscript>
<script type="module" src="/console/app.js"></script>
</body>
</html>
`;

export interface ConsoleBundle {
  js: string;
  css: string;
}

let building: { promise: Promise<ConsoleBundle>; sourcesAt: number } | undefined;

/** The newest modification time among the console's sources (a dozen files: cheap per request). */
function sourcesModifiedAt(): number {
  const dir = join(CONSOLE_DIR, 'src');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).reduce((latest, file) => Math.max(latest, statSync(join(dir, file)).mtimeMs), 0);
}

/**
 * Bundles the console with esbuild in memory, again only when a source changed since the last
 * build: nothing is written, so the bundle is never stale against the sources it is served with,
 * and a fresh clone needs no build step. esbuild is already installed (tsx runs on it); a build
 * takes well under a second.
 */
export function buildConsole(): Promise<ConsoleBundle> {
  const sourcesAt = sourcesModifiedAt();
  if (building && building.sourcesAt >= sourcesAt) return building.promise;
  const promise = (async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [join(CONSOLE_DIR, 'src', 'main.tsx')],
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      target: ['es2022'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      outdir: 'out',
      logLevel: 'silent',
      legalComments: 'none',
    });
    const file = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
    return { js: file('.js'), css: file('.css') };
  })();
  const current = { promise, sourcesAt };
  building = current;
  // A failed build is retried by the next request rather than remembered.
  promise.catch(() => {
    if (building === current) building = undefined;
  });
  return promise;
}

function send(res: Response, type: string, body: string): void {
  // Revalidated on every load (Express answers 304 by ETag), so a new build is seen at once.
  res.set('cache-control', 'no-cache').type(type).send(body);
}

/**
 * The web console: `GET /` (its page) and `/console/app.js|app.css`. The page holds no data and
 * needs no token; everything it shows it reads from `/api/v1` with the token the user signs in
 * with. Scripts and styles are same-origin files, so helmet's default Content-Security-Policy
 * (script-src 'self', no inline script) holds.
 */
export function consoleRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => send(res, 'html', PAGE));
  router.get('/console/app.js', async (_req, res) => send(res, 'application/javascript', (await buildConsole()).js));
  router.get('/console/app.css', async (_req, res) => send(res, 'text/css', (await buildConsole()).css));
  return router;
}
