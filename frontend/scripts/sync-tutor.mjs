// Copies the widgets' sources (src/) into the Tutor plugin's package data, which carries them into
// the catalog and learner-dashboard MFE builds. With --check, fails when the copy is out of date.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'src');
const target = path.resolve(root, '../tutor_plugin/tutor_riseup_stripe/templates/riseup-stripe-mfe');

function listFiles(dir, base = dir) {
  if (!fs.existsSync(dir)) { return []; }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  }).sort();
}

const wanted = listFiles(source);
const present = listFiles(target);
if (process.argv.includes('--check')) {
  const stale = wanted.filter((file) => !present.includes(file)
    || !fs.readFileSync(path.join(source, file)).equals(fs.readFileSync(path.join(target, file))));
  const extra = present.filter((file) => !wanted.includes(file));
  if (stale.length || extra.length) {
    console.error(`The Tutor plugin's copy of the widgets is out of date (${[...stale, ...extra].join(', ')}).`);
    console.error('Run: npm --prefix frontend run sync:tutor');
    process.exit(1);
  }
  console.log(`Tutor plugin copy of the widgets: ${wanted.length} files up to date.`);
} else {
  fs.rmSync(target, { recursive: true, force: true });
  wanted.forEach((file) => {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(path.join(source, file), path.join(target, file));
  });
  console.log(`Copied ${wanted.length} files to ${path.relative(process.cwd(), target)}`);
}
