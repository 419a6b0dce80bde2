// Writes src/i18n/messages/en.json from the default messages of src/i18n/messages.js,
// and checks that fr.json has exactly the same ids. Usage: node scripts/messages.mjs [--check]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = fs.readFileSync(path.join(root, 'src/i18n/messages.js'), 'utf8');
const en = {};
for (const match of source.matchAll(/id: '([^']+)', defaultMessage: '((?:[^'\\]|\\.)*)'/g)) {
  en[match[1]] = match[2].replace(/\\'/g, "'");
}
const target = path.join(root, 'src/i18n/messages/en.json');
const text = `${JSON.stringify(en, null, 2)}\n`;
const check = process.argv.includes('--check');
let failed = false;
if (check) {
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) {
    console.error('src/i18n/messages/en.json is out of date: run node scripts/messages.mjs');
    failed = true;
  }
} else {
  fs.writeFileSync(target, text);
}
const fr = JSON.parse(fs.readFileSync(path.join(root, 'src/i18n/messages/fr.json'), 'utf8'));
const missing = Object.keys(en).filter((id) => !(id in fr));
const extra = Object.keys(fr).filter((id) => !(id in en));
if (missing.length || extra.length) {
  console.error(`fr.json: missing ${missing.join(', ') || 'none'}; unknown ${extra.join(', ') || 'none'}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
