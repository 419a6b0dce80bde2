// Compiles an env.config.jsx rendered by Tutor, with the widgets it imports, as the MFE build would
// (esbuild standing in for the MFE's webpack; platform packages from frontend/node_modules).
// Usage: node scripts/compile-env-config.mjs ENV_CONFIG APP_ID
// Prints {"inputs": [...files bundled...], "bytes": N} or fails with esbuild's errors.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const [, , entry, appId] = process.argv;
if (!entry || !appId) {
  console.error('Usage: node scripts/compile-env-config.mjs ENV_CONFIG APP_ID');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const result = await esbuild.build({
  entryPoints: [path.resolve(entry)],
  bundle: true,
  write: false,
  outdir: path.join(root, 'harness', 'dist', 'compile-check'),
  format: 'esm',
  platform: 'browser',
  jsx: 'automatic',
  loader: {
    '.js': 'jsx', '.scss': 'empty', '.css': 'empty', '.svg': 'empty', '.png': 'empty',
  },
  resolveExtensions: ['.jsx', '.js', '.json'],
  nodePaths: [path.join(root, 'node_modules')],
  // The MFE build replaces process.env.* with the build's values (APP_ID is set per MFE image).
  define: { 'process.env.APP_ID': JSON.stringify(appId), 'process.env.NODE_ENV': '"production"' },
  external: ['env.config'],
  metafile: true,
  logLevel: 'silent',
}).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
const inputs = Object.keys(result.metafile.inputs).map((file) => file.split(path.sep).join('/'));
const bytes = result.outputFiles.reduce((total, file) => total + file.contents.length, 0);
console.log(JSON.stringify({ inputs, bytes }));
