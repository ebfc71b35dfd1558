"""corpora.py - assemble the real corpora of the quality benchmark as JSONL (fields id, text,
group, and date where there is one), each of a different kind:

  sotu    State of the Union paragraphs (shared/data/sotu_paragraphs.jsonl, 6,000 paragraphs of
          ~100 words, 1790-2021), with reference embeddings (sotu_paragraphs.use.npy). Political
          speech.
  debian  Debian package descriptions (the long English descriptions of the release's packages,
          from the archive's Translation-en index, fetched with apt's own downloader and checked
          against the hash in the signed release file), deduplicated, a fixed sample of 8,000.
          Short technical texts (~60 words), group = archive section.
  kjv     The King James Bible (Debian packages bible-kjv, bible-kjv-text), consecutive verses of
          one chapter grouped into passages of at least 100 words. Long-form prose, archaic
          English, group = book.

Usage: corpora.py OUTDIR [NAME...]   (writes OUTDIR/NAME.jsonl, and OUTDIR/NAME.emb.npy where
reference embeddings exist; skips corpora already there)
"""
import glob
import hashlib
import json
import lzma
import os
import random
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SAMPLE = 8000
SEED = 20251127


def shared_data_dir():
    for d in (os.environ.get("SAETM_SHARED_DATA", ""), os.path.join(ROOT, "..", "shared", "data"),
              "/work/shared/data"):
        if d and os.path.exists(os.path.join(d, "sotu_paragraphs.jsonl")):
            return d
    return None


def write_jsonl(path, docs):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


# ---- sotu -------------------------------------------------------------------------------------

def build_sotu(out):
    d = shared_data_dir()
    if not d:
        raise RuntimeError("sotu: shared/data/sotu_paragraphs.jsonl not found (set SAETM_SHARED_DATA)")
    shutil.copyfile(os.path.join(d, "sotu_paragraphs.jsonl"), os.path.join(out, "sotu.jsonl"))
    emb = os.path.join(d, "sotu_paragraphs.use.npy")
    if os.path.exists(emb):
        shutil.copyfile(emb, os.path.join(out, "sotu.emb.npy"))


# ---- debian -----------------------------------------------------------------------------------

def apt_translation_en(out):
    """Download the release's main/i18n/Translation-en.xz with apt-helper, verified against the
    SHA256 listed in the (signed, already verified by apt) InRelease file of the configured source."""
    dest = os.path.join(out, "Translation-en.xz")
    if os.path.exists(dest):
        return dest
    targets = subprocess.run(["apt-get", "indextargets", "--format", "$(URI) $(RELEASE) $(COMPONENT)",
                              "Identifier: Packages"], capture_output=True, text=True, check=True).stdout.split("\n")
    for line in targets:
        parts = line.split()
        if len(parts) != 3 or parts[2] != "main" or "-" in parts[1]:  # the release itself, not -updates
            continue
        uri, release = parts[0], parts[1]
        base = uri[: uri.index("/main/")]
        inrel = [p for p in glob.glob("/var/lib/apt/lists/*_dists_%s_InRelease" % release)]
        sha = None
        for p in inrel:
            with open(p, encoding="utf-8", errors="replace") as f:
                section = None
                for l in f:
                    if not l.startswith(" "):
                        section = l.strip()
                    elif section == "SHA256:" and l.split()[-1] == "main/i18n/Translation-en.xz":
                        sha = l.split()[0]
        if not sha:
            raise RuntimeError("debian: no Translation-en.xz hash in the InRelease of %s" % release)
        url = base + "/main/i18n/Translation-en.xz"
        subprocess.run(["/usr/lib/apt/apt-helper", "download-file", url, dest + ".part", "SHA256:" + sha],
                       check=True, stdout=subprocess.DEVNULL)
        os.replace(dest + ".part", dest)
        return dest
    raise RuntimeError("debian: no configured Debian main source found (apt-get indextargets)")


def debian_docs(out):
    """Every distinct Debian package description of >= 20 words (sorted by package name), with its
    archive section as group. Also used by scripts/foundation_corpus.py."""
    sections = {}
    dump = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True).stdout
    pkg = None
    for line in dump.split("\n"):
        if line.startswith("Package: "):
            pkg = line[9:].strip()
        elif line.startswith("Section: ") and pkg:
            sections[pkg] = line[9:].strip().split("/")[-1]
    path = apt_translation_en(out)
    docs, seen = [], set()
    with lzma.open(path, "rt", encoding="utf-8") as f:
        text = f.read()
    for rec in text.split("\n\n"):
        m = re.search(r"^Package: (\S+)", rec, re.M)
        d = re.search(r"^Description-en: (.*)((?:\n .*)*)", rec, re.M)
        if not m or not d:
            continue
        lines = [l[1:] for l in d.group(2).split("\n") if l.startswith(" ")]
        body = " ".join(" " if l.strip() == "." else l for l in lines)
        body = re.sub(r"\s+", " ", body).strip()
        full = (d.group(1).strip() + ". " + body).strip()
        key = hashlib.sha1(body.encode()).hexdigest()
        if len(body.split()) < 20 or key in seen:  # very short or shared (-dev/-doc) descriptions
            continue
        seen.add(key)
        docs.append({"id": m.group(1), "text": full, "group": sections.get(m.group(1), "unknown")})
    docs.sort(key=lambda x: x["id"])
    return docs


def build_debian(out):
    docs = debian_docs(out)
    random.Random(SEED).shuffle(docs)
    write_jsonl(os.path.join(out, "debian.jsonl"), docs[:SAMPLE])


# ---- kjv --------------------------------------------------------------------------------------

def build_kjv(out):
    if not shutil.which("bible"):
        raise RuntimeError("kjv: the 'bible' program is missing (apt-get install bible-kjv bible-kjv-text)")
    text = subprocess.run(["bible", "gen1:1-rev22:21"], capture_output=True, text=True, check=True).stdout
    verses, book, chapter, prev_blank = [], None, None, True
    for line in text.split("\n"):
        if not line.strip():
            prev_blank = True
            continue
        h = re.match(r"^(\S.*?) (\d+)$", line)
        v = re.match(r"^\s+(\d+) (.*)$", line)
        if prev_blank and h and not line.startswith(" "):
            book, chapter = h.group(1), int(h.group(2))
        elif v:
            verses.append([book, chapter, int(v.group(1)), v.group(2)])
        elif verses:
            verses[-1][3] += " " + line.strip()
        prev_blank = False
    docs, cur = [], []

    def flush():
        if cur:
            b, c = cur[0][0], cur[0][1]
            docs.append({"id": "%s %d:%d-%d" % (b, c, cur[0][2], cur[-1][2]), "text": " ".join(x[3] for x in cur),
                         "group": b})

    for vs in verses:
        if cur and (vs[0] != cur[0][0] or vs[1] != cur[0][1]):  # new chapter
            if sum(len(x[3].split()) for x in cur) < 30 and docs and docs[-1]["group"] == cur[0][0]:
                docs[-1]["text"] += " " + " ".join(x[3] for x in cur)  # a short tail joins the previous passage
                cur.clear()
            flush()
            cur = []
        cur.append(vs)
        if sum(len(x[3].split()) for x in cur) >= 100:
            flush()
            cur = []
    flush()
    if len(verses) < 30000 or len(docs) < 5000:
        raise RuntimeError("kjv: parsed only %d verses / %d passages" % (len(verses), len(docs)))
    write_jsonl(os.path.join(out, "kjv.jsonl"), docs)


BUILDERS = {"sotu": build_sotu, "debian": build_debian, "kjv": build_kjv}


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    names = argv[2:] or list(BUILDERS)
    rc = 0
    for name in names:
        if os.path.exists(os.path.join(out, name + ".jsonl")):
            continue
        try:
            BUILDERS[name](out)
            n = sum(1 for _ in open(os.path.join(out, name + ".jsonl"), encoding="utf-8"))
            print("corpora: %s: %d documents" % (name, n), file=sys.stderr)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
            print("corpora: %s: %s" % (name, e), file=sys.stderr)
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
