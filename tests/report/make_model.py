"""make_model.py OUTDIR - a small model directory for the trends/report CLI tests.

Writes OUTDIR/docs.jsonl (to be turned into OUTDIR/corpus.stc by `saetm corpus`), and the topic
files a fit would write: doc_topics.npy (the mixtures the documents were drawn from), topic_word.npy,
topics.json (the schema `saetm topics` writes), top_words.txt, params.json; and OUTDIR/expected.json, the trends
computed here independently (datetime for dates, numpy for means and least-squares slopes).

Four topics with their own words; over 1900-1939 topic 0 rises and topic 1 falls. Dates come in
several forms, some documents have none or a bad one, one has no words at all. Texts carry
characters that must be escaped in HTML.
"""
import datetime as dt
import json
import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
pools = [
    "army navy battle soldier troops war fleet enemy".split(),
    "tax budget bank money trade tariff revenue debt".split(),
    "school teacher student education college learning child class".split(),
    "river forest land park water farm soil crop".split(),
]
K, V = len(pools), sum(len(p) for p in pools)
vocab = sorted(w for p in pools for w in p)
N = 120
theta = np.zeros((N, K), np.float32)
docs, expect_dates = [], []
months = "January February March April May June July August September October November December".split()
for d in range(N):
    year = 1900 + d // 3
    s = (year - 1900) / 39.0
    alpha = np.array([0.2 + 2 * s, 2.2 - 2 * s, 0.8, 0.8])
    mix = rng.dirichlet(alpha)
    words = [pools[k][rng.integers(len(pools[k]))] for k in rng.choice(K, size=40, p=mix)]
    text = " ".join(words)
    if d % 10 == 0:
        text = '<script>alert("x")</script> & ' + text + " 'quoted' <b>"
    form = d % 6
    if form == 0:
        date = str(year)
    elif form == 1:
        date = "%d-%02d-%02d" % (year, 1 + d % 12, 1 + d % 28)
    elif form == 2:
        date = "%s %d, %d" % (months[d % 12], 1 + d % 28, year)
    elif form == 3:
        date = year  # a JSON number
    elif form == 4:
        date = "n/a" if d % 12 == 4 else str(year)
    else:
        date = None if d % 12 == 5 else "%d/%d/%d" % (1 + d % 12, 1 + d % 28, year)
    rec = {"id": "doc-%d" % d, "text": text, "group": ["Alpha & Co", "<Beta>"][d % 2] if d % 7 else ""}
    if date is not None:
        rec["date"] = date
    if d == 50:
        rec["text"] = "!!! ??? ..."  # no vocabulary word: an empty document
    else:
        theta[d] = mix
    docs.append(rec)
    expect_dates.append(None if date in (None, "n/a") or d == 50 else year)

# Documents 0 and 10 (with markup in their text) are pure topics 0 and 1, so they are the most
# representative documents shown in the report.
theta[0], theta[10] = np.eye(K, dtype=np.float32)[0], np.eye(K, dtype=np.float32)[1]
with open(os.path.join(out, "docs.jsonl"), "w") as f:
    for r in docs:
        f.write(json.dumps(r) + "\n")
np.save(os.path.join(out, "doc_topics.npy"), theta)
tw = np.full((K, V), 0.01, np.float32)
for k, p in enumerate(pools):
    for w in p:
        tw[k, vocab.index(w)] = 1.0
tw /= tw.sum(1, keepdims=True)
np.save(os.path.join(out, "topic_word.npy"), tw)
topics = {"k": K, "n_docs": N, "method": "kmeans", "topics": []}
for k, p in enumerate(pools):
    order = sorted(p)
    topics["topics"].append({"id": k, "weight": float(theta[:, k].mean()), "doc_count": int((theta.argmax(1) == k).sum()),
                             "words": [{"word": w, "prob": float(tw[k, vocab.index(w)])} for w in order],
                             "features": [k]})
with open(os.path.join(out, "topics.json"), "w") as f:
    json.dump(topics, f)
with open(os.path.join(out, "top_words.txt"), "w") as f:
    for t in topics["topics"]:
        f.write(" ".join(w["word"] for w in t["words"]) + "\n")
with open(os.path.join(out, "params.json"), "w") as f:
    json.dump({"k": K, "seed": 1, "input": "docs.jsonl <test & \"fixture\">", "sae": {"k": 32, "expansion": 64}}, f)

# Expected trends, per year and per group, over non-empty documents.
years = sorted({y for y in expect_dates if y is not None})
time = np.array([theta[[i for i, y in enumerate(expect_dates) if y == yr]].mean(0) for yr in years])
mid = np.array(years) + 0.5
slopes = np.polyfit(mid, time, 1)[0]
groups = {}
for i, r in enumerate(docs):
    if r["group"] and theta[i].sum() > 0:
        groups.setdefault(r["group"], []).append(i)
expected = {
    "years": years,
    "counts": [sum(1 for y in expect_dates if y == yr) for yr in years],
    "time": time.tolist(),
    "slope": slopes.tolist(),
    "change": (slopes * (mid[-1] - mid[0])).tolist(),
    "groups": {g: theta[ix].mean(0).tolist() for g, ix in groups.items()},
    "group_docs": {g: len(ix) for g, ix in groups.items()},
    "n_undated": sum(1 for i, r in enumerate(docs) if "date" not in r and i != 50),
    "n_bad": sum(1 for i, r in enumerate(docs) if r.get("date") == "n/a" and i != 50),
}
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f)
