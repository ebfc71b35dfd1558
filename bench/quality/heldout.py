"""heldout.py - the quality bench's held-out protocol (docs/quality.md, "Held-out protocol"): the
split of a corpus by line, and an independent numpy scorer of held-out NPMI.

Split (line i of the corpus JSONL, 0-based; the embedding row i belongs to line i):
  test        held out (scored): i % 5 == 0 (20%);   training: every other line (80%)
  validation  held out (scored): i % 5 == 1 (20%);   training: i % 5 in {2, 3, 4} (60%)
The validation split is for tuning: neither of its parts contains a test document, so a choice
made on it never saw the documents the test split scores.

Scorer (npmi_topics): NPMI over boolean document co-occurrence in the reference corpus (its
non-empty documents), eps 1e-12 added to the joint probability; a pair with a word absent from the
reference (not in its vocabulary or in no document) or a pair that never co-occurs scores -1; a
topic is the mean over the pairs of the distinct words among its first 10 words (C(10, 2) = 45
pairs), the corpus score the mean over topics. Written from those definitions, not from saetm's
code; `saetm eval --npmi-eps 0` (--missing floor, its default) computes the same numbers.
"""
import json
import os

import numpy as np

SPLITS = {
    "test": ({0}, {1, 2, 3, 4}),
    "validation": ({1}, {2, 3, 4}),
}


def part_of(i, split):
    """'heldout', 'train' or None (line i takes no part in this split)."""
    held, train = SPLITS[split]
    if i % 5 in held:
        return "heldout"
    if i % 5 in train:
        return "train"
    return None


def split_indices(n, split):
    """(training line numbers, held-out line numbers) of a corpus of n lines, ascending."""
    idx = np.arange(n)
    held, train = SPLITS[split]
    return idx[np.isin(idx % 5, sorted(train))], idx[np.isin(idx % 5, sorted(held))]


def split_paths(out_dir, name, split):
    """The files write_split writes: {part: (jsonl, emb.npy)} for part in train, heldout."""
    return {p: (os.path.join(out_dir, "%s.%s.%s.jsonl" % (name, split, p)),
                os.path.join(out_dir, "%s.%s.%s.emb.npy" % (name, split, p))) for p in ("train", "heldout")}


def _stale(out, inputs):
    return not os.path.exists(out) or any(os.path.getmtime(i) > os.path.getmtime(out) for i in inputs)


def write_split(jsonl, emb, out_dir, name, split):
    """Write the training and held-out parts of corpus `jsonl` (one JSON document a line, no blank
    lines) as their own JSONL files, each line copied byte for byte, and, when `emb` (a .npy with
    one row per line) is given, the matching embedding rows. Files already there and newer than
    the inputs are kept. Returns split_paths(...)."""
    paths = split_paths(out_dir, name, split)
    inputs = [jsonl] + ([emb] if emb else [])
    todo = [p for p, (j, e) in paths.items() if _stale(j, inputs) or (emb and _stale(e, inputs))]
    if not todo:
        return paths
    os.makedirs(out_dir, exist_ok=True)
    with open(jsonl, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for i, line in enumerate(lines):
        if not line.strip():
            raise ValueError("%s: line %d is blank (the split is by line)" % (jsonl, i + 1))
    train, held = split_indices(len(lines), split)
    rows = None
    if emb:
        rows = np.load(emb, mmap_mode="r")
        if rows.shape[0] != len(lines):
            raise ValueError("%s: %d rows, %s has %d lines" % (emb, rows.shape[0], jsonl, len(lines)))
    for part, idx in (("train", train), ("heldout", held)):
        j, e = paths[part]
        with open(j + ".tmp", "wb") as f:
            f.write(b"".join(lines[i] + b"\n" for i in idx))
        os.replace(j + ".tmp", j)
        if rows is not None:
            with open(e + ".tmp", "wb") as f:
                np.save(f, np.ascontiguousarray(rows[idx]))
            os.replace(e + ".tmp", e)
    with open(os.path.join(out_dir, "%s.%s.json" % (name, split)), "w") as f:
        json.dump({"source": jsonl, "embeddings": emb, "split": split, "lines": len(lines),
                   "train": int(len(train)), "heldout": int(len(held))}, f)
    return paths


# ---- the independent held-out NPMI scorer ----------------------------------------------------

class Reference:
    """Document frequencies of a reference corpus (stc.Corpus): its non-empty documents as a
    boolean document x word matrix."""

    def __init__(self, corpus):
        import scipy.sparse as sp
        x = sp.csr_matrix(corpus.bow)
        x = x[np.diff(x.indptr) > 0]
        self.x = sp.csc_matrix((x > 0).astype(np.float64))
        self.n = x.shape[0]
        self.df = np.asarray(self.x.sum(axis=0)).ravel()
        self.index = {w: i for i, w in enumerate(corpus.vocab)}

    def known(self, w):
        i = self.index.get(w)
        return i is not None and self.df[i] > 0


def distinct(words):
    return list(dict.fromkeys(words))


def npmi_topic(words, ref, eps=1e-12):
    """NPMI of one topic (its distinct words as given, the caller cuts to the first 10); None when
    it has fewer than two distinct words."""
    words = distinct(words)
    if len(words) < 2:
        return None
    known = [w for w in words if ref.known(w)]
    ids = [ref.index[w] for w in known]
    sub = ref.x[:, ids]
    joint = np.asarray((sub.T @ sub).todense()) if ids else np.zeros((0, 0))
    pos = {w: k for k, w in enumerate(known)}
    vals = []
    for a in range(len(words)):
        for b in range(a + 1, len(words)):
            wa, wb = words[a], words[b]
            if wa not in pos or wb not in pos:
                vals.append(-1.0)
                continue
            ia, ib = pos[wa], pos[wb]
            d12 = joint[ia, ib]
            if d12 == 0:
                vals.append(-1.0)
                continue
            p1, p2, p12 = ref.df[ids[ia]] / ref.n, ref.df[ids[ib]] / ref.n, d12 / ref.n
            if p12 == 1.0:  # both words in every document: defined as 1 (0/0 otherwise)
                vals.append(1.0)
                continue
            vals.append(np.log((p12 + eps) / (p1 * p2)) / -np.log(p12 + eps))
    return float(np.mean(vals))


def npmi_topics(topics, ref, top=10, eps=1e-12):
    """(mean NPMI over the scored topics, per-topic list with None for unscored ones); topics are
    lists of words, best first."""
    per = [npmi_topic(t[:top], ref, eps) for t in topics]
    scored = [v for v in per if v is not None]
    return (float(np.mean(scored)) if scored else None), per


def absent_per_500(topics, ref, top=10):
    """Top-`top` words (every topic's list, a word counted once per topic) absent from the
    reference, per 500 listed words."""
    listed = [w for t in topics for w in distinct(t[:top])]
    if not listed:
        return None
    return 500.0 * sum(1 for w in listed if not ref.known(w)) / len(listed)
