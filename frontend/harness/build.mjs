// Builds the browser harness into harness/dist/ (index.html, harness.js, harness.css, config.js).
// Usage: LMS_BASE_URL=http://127.0.0.1:8000 node harness/build.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
await esbuild.build({
  entryPoints: { harness: path.join(here, 'main.jsx') },
  bundle: true,
  outdir: dist,
  format: 'esm',
  platform: 'browser',
  jsx: 'automatic',
  loader: {
    '.js': 'jsx', '.scss': 'empty', '.css': 'empty', '.svg': 'dataurl', '.png': 'dataurl',
  },
  define: { 'process.env.NODE_ENV': '"production"' },
  // frontend-platform reads its defaults from process.env.* (webpack defines them in an MFE).
  banner: { js: 'globalThis.process = globalThis.process || { env: {} };' },
  // frontend-platform's initialize module imports the MFE's env.config; the harness configures itself.
  alias: { 'env.config': path.join(here, 'env.config.js') },
  minify: true,
  logLevel: 'warning',
});
// Paragon's compiled theme: the widgets look as in an MFE.
const paragonCss = ['core.min.css', 'light.min.css']
  .map((name) => path.join(here, '..', 'node_modules', '@openedx', 'paragon', 'dist', name))
  .concat([path.join(here, '..', 'node_modules', '@openedx', 'paragon', 'styles', 'css', 'core', 'custom-media-breakpoints.css')])
  .filter((file) => fs.existsSync(file));
fs.writeFileSync(path.join(dist, 'harness.css'), paragonCss.map((file) => fs.readFileSync(file, 'utf8')).join('\n'));
fs.copyFileSync(path.join(here, 'index.html'), path.join(dist, 'index.html'));
const config = { LMS_BASE_URL: process.env.LMS_BASE_URL || '' };
fs.writeFileSync(path.join(dist, 'config.js'), `window.HARNESS_CONFIG = ${JSON.stringify(config)};\n`);
console.log(`Harness built in ${path.relative(process.cwd(), dist)} (LMS_BASE_URL=${config.LMS_BASE_URL || 'the serving origin'})`);
