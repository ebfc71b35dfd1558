"""pyfix.py - fixtures of the Python package's tests: a planted corpus (saetm synth) whose made-up
words are replaced by English nouns from WordNet's index, so that fit's default preprocessing
(WordNet lemmas, only words WordNet knows) keeps them, and the package imported from the tree."""
import json
import os
import subprocess
import sys

ROOT = os.environ.get("ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
SAETM = os.environ.get("SAETM_RELEASE") or os.path.join(ROOT, "build", "saetm")  # the library's release build


def english_nouns(n):
    """n nouns of 5 to 8 letters from WordNet's index (every 97th, so spread over the alphabet)."""
    words = []
    with open("/usr/share/wordnet/index.noun", encoding="latin-1") as f:
        for line in f:
            w = line.split(" ", 1)[0]
            if not line.startswith(" ") and w.isalpha() and w.islower() and 5 <= len(w) <= 8:
                words.append(w)
    picked = words[::97]
    assert len(picked) >= n, "WordNet's noun index is too small"
    return picked[:n]


def planted(dirname, docs=300, topics=4, vocab=120, dim=16, seed=1):
    """DIR/docs.jsonl (id, text in English nouns) and DIR/emb.npy. @return (texts, path of docs, path of emb)."""
    s = os.path.join(dirname, "synth")
    subprocess.run([SAETM, "synth", "--out", s, "--docs", str(docs), "--topics", str(topics), "--vocab", str(vocab),
                    "--dim", str(dim), "--seed", str(seed), "-q"], check=True)
    with open(os.path.join(s, "vocab.txt"), encoding="utf-8") as f:
        made_up = [w.strip() for w in f if w.strip()]
    to_en = dict(zip(made_up, english_nouns(len(made_up))))
    texts = []
    path = os.path.join(dirname, "docs.jsonl")
    with open(os.path.join(s, "docs.jsonl"), encoding="utf-8") as f, open(path, "w", encoding="utf-8") as out:
        for line in f:
            d = json.loads(line)
            d["text"] = " ".join(to_en.get(w, w) for w in d["text"].split())
            texts.append(d["text"])
            out.write(json.dumps({"text": d["text"]}, ensure_ascii=False) + "\n")
    return texts, path, os.path.join(s, "emb.npy")
