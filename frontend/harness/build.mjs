// Builds the browser harness into harness/dist/ (index.html, harness.js, harness.css, config.js).
// Usage: LMS_BASE_URL=http://127.0.0.1:8000 node harness/build.mjs   (HARNESS_OUT=<dir>: elsewhere than dist/)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(process.env.HARNESS_OUT || path.join(here, 'dist'));
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
// The slots' configuration: the env.config.jsx the Tutor plugin renders (ENV_CONFIG=<its path>, with
// the widgets Tutor copies next to it), else harness/env.config.js (the harness then builds the same
// configuration from src/slots.json). One bundle per MFE: the MFE build defines process.env.APP_ID.
const envConfig = process.env.ENV_CONFIG ? path.resolve(process.env.ENV_CONFIG) : path.join(here, 'env.config.js');
const apps = { catalog: 'harness-catalog', 'learner-dashboard': 'harness-learner-dashboard' };
await Promise.all(Object.entries(apps).map(([appId, name]) => esbuild.build({
  entryPoints: { [name]: path.join(here, 'main.jsx') },
  bundle: true,
  outdir: dist,
  format: 'esm',
  platform: 'browser',
  jsx: 'automatic',
  loader: {
    '.js': 'jsx', '.scss': 'empty', '.css': 'empty', '.svg': 'dataurl', '.png': 'dataurl',
  },
  resolveExtensions: ['.jsx', '.js', '.json'],
  // A rendered env.config.jsx lives outside frontend/: its imports resolve in frontend/node_modules.
  nodePaths: [path.join(here, '..', 'node_modules')],
  define: { 'process.env.NODE_ENV': '"production"', 'process.env.APP_ID': JSON.stringify(appId) },
  // frontend-platform reads its defaults from process.env.* (webpack defines them in an MFE).
  banner: { js: 'globalThis.process = globalThis.process || { env: {} };' },
  // frontend-platform's initialize module and the harness import the MFE's env.config.
  alias: { 'env.config': envConfig },
  minify: true,
  logLevel: 'warning',
})));
// harness.js loads the bundle of the page's MFE.
fs.writeFileSync(path.join(dist, 'harness.js'), `const page = new URLSearchParams(window.location.search).get('page');
import(page === 'dashboard' ? './${apps['learner-dashboard']}.js' : './${apps.catalog}.js');
`);
// Paragon's compiled theme: the widgets look as in an MFE.
const paragonCss = ['core.min.css', 'light.min.css']
  .map((name) => path.join(here, '..', 'node_modules', '@openedx', 'paragon', 'dist', name))
  .concat([path.join(here, '..', 'node_modules', '@openedx', 'paragon', 'styles', 'css', 'core', 'custom-media-breakpoints.css')])
  .filter((file) => fs.existsSync(file));
fs.writeFileSync(path.join(dist, 'harness.css'), paragonCss.map((file) => fs.readFileSync(file, 'utf8')).join('\n'));
fs.copyFileSync(path.join(here, 'index.html'), path.join(dist, 'index.html'));
const config = { LMS_BASE_URL: process.env.LMS_BASE_URL || '' };
fs.writeFileSync(path.join(dist, 'config.js'), `window.HARNESS_CONFIG = ${JSON.stringify(config)};\n`);
console.log(`Harness built in ${path.relative(process.cwd(), dist)} (LMS_BASE_URL=${config.LMS_BASE_URL || 'the serving origin'}, slots from ${path.relative(process.cwd(), envConfig)})`);
