"""test_foundation_corpus.py - the text functions of scripts/foundation_corpus.py (the foundational
SAE's corpus, docs/foundation.md) on inline text: the paragraph splitter (chunk), the prose filter
(prose_reason), near-exact duplicate keys (norm_key), the HTML, man page and GCIDE readers, the
path language filter and build_source's drop accounting. No package is read: this runs without
the foundation packages installed."""
import os
import subprocess
import sys

ROOT = os.environ.get("ROOT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from testlib import check, report  # noqa: E402
import foundation_corpus as fc  # noqa: E402

PROSE = ("The scheduler decides which process runs next on each processor. It keeps a queue of "
         "runnable tasks and picks the one that has waited longest, so that no task is starved.")


def sentence(i, n=10):
    return " ".join("w%dx%d" % (i, j) for j in range(n - 1)) + " end."


def test_chunk():
    # short paragraphs are joined while they fit
    docs = fc.chunk([sentence(0), sentence(1), sentence(2)], max_words=25)
    check([fc.words(d) for d in docs] == [20, 10], "chunk joins paragraphs up to max_words: %r" % docs)
    # a long paragraph is cut at sentence ends, none over max_words
    long_p = " ".join(sentence(i) for i in range(12))
    docs = fc.chunk([long_p], max_words=35)
    check(len(docs) == 4 and all(fc.words(d) <= 35 for d in docs), "chunk cuts a long paragraph: %r" % [fc.words(d) for d in docs])
    check(" ".join(docs) == long_p, "chunk keeps every word of a cut paragraph in order")
    # join_words joins less than max_words without cutting paragraphs
    docs = fc.chunk([sentence(i) for i in range(6)], max_words=110, join_words=30)
    check([fc.words(d) for d in docs] == [30, 30], "join_words bounds the joining: %r" % [fc.words(d) for d in docs])
    # a paragraph under min_words joins its neighbour even past join_words (up to max_words)
    docs = fc.chunk([sentence(0, 5), sentence(1, 30), sentence(2, 30)], max_words=110, join_words=30, min_words=20)
    check([fc.words(d) for d in docs] == [35, 30], "a short paragraph joins the next one: %r" % [fc.words(d) for d in docs])
    # a run-on piece with no sentence end keeps its first max_words words
    docs = fc.chunk([" ".join("x%d" % i for i in range(300))], max_words=50)
    check(docs == [" ".join("x%d" % i for i in range(50))], "a run-on paragraph is truncated")
    # the prefix starts every document of the unit; blank paragraphs are ignored
    docs = fc.chunk([sentence(0), "  \n ", sentence(1)], prefix="head", max_words=12)
    check(docs == ["head: " + sentence(0), "head: " + sentence(1)], "prefix on every document: %r" % docs)


def test_prose_reason():
    check(fc.prose_reason(PROSE) is None, "plain prose passes")
    check(fc.prose_reason("int main(void) { return x == y ? a_b : c_d; } /* $x = #y */") == "code", "code is dropped")
    check(fc.prose_reason("-a --all -b --block-size=SIZE -c -d --directory -e -f -g -h --human") in ("nonprose", "code"),
          "an option list is dropped")
    check(fc.prose_reason("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22") == "nonprose", "a table of numbers is dropped")
    check(fc.prose_reason("Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu") == "nonprose",
          "words without a sentence end are dropped")
    check(fc.prose_reason("This program is free software; you can redistribute it and/or modify it under the terms "
                          "of the GNU General Public License as published by the Free Software Foundation.") == "boilerplate",
          "licence text is dropped")
    check(fc.prose_reason("Der Kern entscheidet, welcher Prozess als nächster auf jedem Prozessor läuft, und hält "
                          "eine Warteschlange lauffähiger Aufgaben bereit.") == "foreign", "German prose is dropped")
    check(fc.prose_reason("gosling: young goose.") is None, "a short English gloss passes (few function words)")


def test_norm_key():
    a = fc.norm_key("The quick brown fox, version 2.1, jumps.")
    check(a == fc.norm_key("the   QUICK brown fox -- version 3.0 -- jumps!"), "near-exact variants share a key")
    check(a != fc.norm_key("The quick brown fox walks."), "different text, different key")


def test_html_units():
    page = ("<html><head><title>T</title></head><body><nav><p>Next topic</p></nav>"
            "<h1>Intro</h1><p>First &amp; <b>bold</b>\nparagraph.</p><pre><p>code in pre</p></pre>"
            "<table><tr><td><p>cell</p></td></tr></table><p>Second.</p>"
            "<h2>More</h2><div class=\"block\">A javadoc <code>x()</code> description.</div>"
            "<h3>Pub</h3><div class=\"para\">A Publican paragraph.</div></body></html>")
    units = fc.html_units(page)
    check(units == [["First & bold paragraph.", "Second."], ["A javadoc x() description."], ["A Publican paragraph."]],
          "html_units: %r" % units)


def test_foreign_path():
    check(fc.foreign_path("/usr/share/doc/x/html/de-DE/index.html"), "a de-DE directory is foreign")
    check(fc.foreign_path("/usr/share/doc/x/faq.fr.html") and fc.foreign_path("/manual/index.html.ja"), "a language suffix is foreign")
    check(not fc.foreign_path("/usr/share/doc/x/html/en-US/index.html"), "en-US is English")
    check(not fc.foreign_path("/usr/share/doc/linux/html/mm/page.html") and not fc.foreign_path("/doc/io.html"),
          "ordinary names are not languages")


def test_roff_text():
    src = "\n".join([
        '.TH LS 1', '.SH NAME', 'ls \\- list directory contents', '.SH SYNOPSIS', '.B ls', '[\\fIOPTION\\fR]...',
        '.SH DESCRIPTION', 'List information about the \\fBFILEs\\fP,', 'the current directory by default.',
        '.PP', 'Sort entries alphabetically\\(emby default.', '.nf', 'ls -l /tmp', '.fi', '.SH SEE ALSO', 'dir(1)'])
    units = fc.roff_text(src)
    check(units == [["ls - list directory contents"],
                    ["List information about the FILEs, the current directory by default.",
                     "Sort entries alphabetically - by default."]], "roff_text: %r" % units)


def test_gcide_text():
    body = ('\\Ab"di*ca*tive\\, a. [L. abdicativus.]\n   Causing, or implying, abdication. [R.] --Bailey.\n'
            '   [1913 Webster]\n')
    check(fc.gcide_text(body) == ", a. Causing, or implying, abdication.", "gcide_text: %r" % fc.gcide_text(body))
    check(fc.gcide_text('\\X\\ n. Re`hy*poth`e*ca"tion of (s[e^]r"[=e]n) t["u]r.') == "n. Rehypothecation of tur.",
          "gcide_text drops stress marks and variant pronunciations: %r" % fc.gcide_text('\\X\\ n. Re`hy*poth`e*ca"tion of (s[e^]r"[=e]n) t["u]r.'))


def test_pod():
    src = "\n".join(["package Foo;", "", "use strict;", "", "=head1 NAME", "", "Foo - does C<things> with L<Bar|Bar::Baz>.",
                     "", "    my $x = Foo->new;  # verbatim", "", "=begin html", "", "<b>skipped</b>", "", "=end html", "",
                     "Second E<lt>para>.", "", "=cut", "", "sub new { 1 }", "", "=head2 More", "", "Last one.", ""])
    secs = [[fc.clean(p) for p in sec] for sec in fc.pod_sections(src)]
    check(secs == [["Foo - does C<things> with L<Bar|Bar::Baz>.", "Second E<lt>para>."], ["Last one."]], "pod_sections: %r" % secs)
    check(fc.podtext(secs[0][0]) == "Foo - does things with Bar.", "podtext: %r" % fc.podtext(secs[0][0]))


def test_lyx_wml_crawl():
    lyx = "\n".join(["\\begin_body", "\\begin_layout Section", "Intro", "\\end_layout", "\\begin_layout Standard",
                     "\\SpecialChar LyX", " is a document processor", "\\begin_inset Foot", "\\begin_layout Plain Layout",
                     "a footnote", "\\end_layout", "\\end_inset", ", it says.", "\\end_layout", "\\begin_layout Section",
                     "Next", "\\end_layout", "\\begin_layout Quotation", "A quote.", "\\end_layout"])
    units = fc.lyx_text(lyx)
    check(units == [["LyX is a document processor, it says."], ["A quote."]], "lyx_text: %r" % units)
    wml = '[message]\n  speaker=Konrad\n  message= _ "We must go ""now"".\n\nThe orcs come."\n[/message]\nid="x"'
    check(fc.wml_strings(wml) == ['We must go "now".', "The orcs come."], "wml_strings: %r" % fc.wml_strings(wml))
    crawl = "%%%%\n# comment\nOrc\n\nA green brute.\n\nIt smells.\n%%%%\n__suffix\n\nskipped\n%%%%\n"
    got = [(k, [fc.clean(p) for p in ps]) for k, ps in fc.crawl_entries(crawl)]
    check(got == [("Orc", ["A green brute.", "It smells."])], "crawl_entries: %r" % got)


def test_build_source():
    def units():
        yield "a", "", [PROSE, "x = y_z; {q} <r> $s #t"]
        yield "b", "", [PROSE.upper().replace(",", "")]  # near-exact duplicate of unit a
        yield "c", "head", [PROSE]  # the prefix makes it a different document
        yield "d", "", ["Too short to keep."]
        yield "e", "", ["Short, but it joins.", PROSE]
    seen = set()
    drops = {r: [0, 0] for r in fc.DROPS}
    docs = fc.build_source(units, {}, seen, drops)
    check([i for i, _ in docs] == ["a#0", "c#0", "e#0"], "build_source keeps a, c and e: %r" % docs)
    check(docs[2][1] == "Short, but it joins. " + PROSE, "short paragraphs join their neighbours")
    check(drops["code"][0] == 1 and drops["short"][0] == 1 and drops["duplicate"][0] == 1
          and drops["duplicate"][1] == fc.words(PROSE),
          "drops counted by reason: %r" % drops)
    drops2 = {r: [0, 0] for r in fc.DROPS}
    check(fc.build_source(units, {}, seen, drops2) == [], "documents seen in an earlier source are dropped")
    check(drops2["duplicate"][0] == 4, "and counted as duplicates: %r" % drops2)

    def tiny():
        yield "t", "", ["Only a few words here."]
    drops3 = {r: [0, 0] for r in fc.DROPS}
    check(fc.build_source(tiny, {}, set(), drops3) == [] and drops3["short"][0] == 1, "a short document is dropped")
    check(len(fc.build_source(tiny, {"min": 3}, set(), drops3)) == 1, "per-source minimum length")
    a = fc.build_source(units, {}, set(), {r: [0, 0] for r in fc.DROPS})
    b = fc.build_source(units, {}, set(), {r: [0, 0] for r in fc.DROPS})
    check(a == b, "same input, same documents")


def test_sources_exclude_bench():
    pkgs = {p for s in fc.SOURCES for p in s[1].split()}
    names = {s[0] for s in fc.SOURCES}
    check(not pkgs & {"bible-kjv-text", "bible-kjv"} and not names & {"kjv", "debian", "email", "sotu"},
          "the quality bench's corpora are not sources")
    check(len(names) == len(fc.SOURCES), "source names are unique")
    check(all(pkg in fc.PINNED for pkg in pkgs), "every source's package has a pinned version")
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "install-deps.sh"), "--list", "--foundation"],
                       capture_output=True, text=True)
    listed = set(r.stdout.split())
    check(r.returncode == 0 and pkgs <= listed, "install-deps.sh --foundation lists every source's package: missing %r"
          % sorted(pkgs - listed))


for t in (test_chunk, test_prose_reason, test_norm_key, test_html_units, test_foreign_path, test_roff_text,
          test_gcide_text, test_pod, test_lyx_wml_crawl, test_build_source, test_sources_exclude_bench):
    t()
sys.exit(report())
