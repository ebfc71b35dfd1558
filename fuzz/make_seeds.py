#!/usr/bin/python3
"""Regenerate the checked-in seed inputs of the fuzz harnesses (fuzz/seeds/NAME/).

Usage: /usr/bin/python3 fuzz/make_seeds.py [SAETM_BINARY]

Seeds are small valid (and a few nearly valid) inputs; AFL++ mutates them. Container files are
written here from docs/FORMAT.md, independently of the C writer. Seeds of the kinds that need
the pipeline (.stc, .saem, .sti) are produced with the saetm binary when one is given, and by
build/test/tests/reliability/test_hostile_files --write-seeds (make test-build first).
"""
import gzip
import io
import os
import struct
import sys
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")

DT = {"u8": (1, "<u1"), "u32": (2, "<u4"), "u64": (3, "<u8"), "f32": (4, "<f4"),
      "i32": (5, "<i4"), "f64": (6, "<f8"), "i64": (7, "<i8")}


def container(magic, version, sections):
    """sections: list of (name, dtype, ndarray 1-D or 2-D)."""
    body = bytearray(b"\0" * 64)
    table = bytearray()
    for name, dt, arr in sections:
        code, npdt = DT[dt]
        a = np.ascontiguousarray(np.asarray(arr, dtype=npdt))
        rows, cols = (a.shape[0], 1) if a.ndim == 1 else a.shape
        body += b"\0" * ((-len(body)) % 64)
        off = len(body)
        raw = a.tobytes()
        body += raw
        table += struct.pack("<16sIIQQQQQ", name.encode(), code, zlib.crc32(raw), off, len(raw), rows, cols, 0)
    body += b"\0" * ((-len(body)) % 64)
    toff = len(body)
    body += table
    head = struct.pack("<8sIIQQI", magic, version, len(sections), toff, len(body), zlib.crc32(bytes(table)))
    head += struct.pack("<I", zlib.crc32(head)) + b"\0" * 24
    body[0:64] = head
    return bytes(body)


def put(name, fname, data):
    d = os.path.join(SEEDS, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def npy_bytes(a, version=None):
    b = io.BytesIO()
    if version is None:
        np.save(b, a)
    else:
        np.lib.format.write_array(b, a, version=version)
    return b.getvalue()


def acts(rows, nf, row_ptr, idx, val):
    return container(b"SAETMACT", 1, [("shape", "u64", [rows, nf]), ("row_ptr", "u64", row_ptr),
                                      ("idx", "u32", idx), ("val", "f32", val)])


def main():
    rng = np.random.default_rng(1)
    put("npy", "f4_2x3.npy", npy_bytes(rng.standard_normal((2, 3)).astype("<f4")))
    put("npy", "f8_vec.npy", npy_bytes(np.arange(5, dtype="<f8")))
    put("npy", "f4_v2.npy", npy_bytes(np.ones((3, 2), dtype="<f4"), version=(2, 0)))
    put("npy", "f4_0rows.npy", npy_bytes(np.zeros((0, 4), dtype="<f4")))
    put("npy", "f4_nan.npy", npy_bytes(np.array([[1, np.nan], [np.inf, 0]], dtype="<f4")))
    put("npy", "fortran.npy", npy_bytes(np.asfortranarray(np.ones((2, 2), dtype="<f4"))))
    a1 = acts(3, 10, [0, 2, 2, 5], [1, 7, 0, 3, 9], [0.5, 1.5, 2.0, 0.25, 3.0])
    a0 = acts(0, 4, [0], np.zeros(0), np.zeros(0))
    put("acts", "small.sac", a1)
    put("acts", "empty.sac", a0)
    put("container", "acts.sac", a1)
    put("container", "mixed.bin", container(b"SAETMXYZ", 3, [
        ("a", "u8", np.frombuffer(b"hello\0world\0", dtype="u1")), ("b", "i32", [[1, -2], [3, 4]]),
        ("c", "f64", [1.5]), ("d", "i64", [-1, 2, 3])]))
    put("container", "nosections.bin", container(b"SAETMNIL", 1, []))
    put("topic_words", "three.txt", b"economy tax budget\nwar army peace\n\nschool teacher\n")
    put("topic_words", "utf8_crlf.txt", "café naïve 日本\r\nlast".encode())
    put("topic_words", "tabs.txt", b"a\tb  c\n")
    corpus_seeds()
    put("embed_model", "tiny.stm", tiny_embedder(rng))
    if len(sys.argv) > 1:
        pipeline_seeds(sys.argv[1])


# Corpus readers: the first byte holds the harness options (fuzz/fuzz_corpus.h): bit 0 skip_bad,
# bits 1-2 preprocessing (0 full, 1 basic, 2 none), bit 3 id/date/group fields, bit 4 full build.
JSONL = (b'{"id":"a","text":"The economy grew and taxes fell sharply.","date":"1999","group":"x"}\n'
         b'{"id":"b","text":"War and peace in the armies of nations","date":1790,"group":"y"}\n'
         b'{"id":"c","text":"Schools and teachers","date":"2001","group":"x"}\n')
JSONL_ODD = ('{"text":"caf\\u00e9 \\ud83d\\ude00 na\\u00efve\\n tab\\t \\"q\\""}\n'
             '{"text": "x y z", "extra": [1, 2.5e3, {"a": null, "b": true}]}\n'
             'not json at all\n\n'
             '{"text": 42}\n').encode()
CSV = (b'id,text,date,group\r\n1,"Hello, world ""quoted"" economy",2001,a\r\n'
       b'2,"multi\nline text about war",2002,b\r\n3,plain text here,2003,a\r\n')
CSV_ODD = b'\xef\xbb\xbftext;id\n"unterminated,1\nok,2\n,,\n'
TEXT = b"one document per line about the economy\nsecond document with words\n\nfourth line\n"


def corpus_seeds():
    put("jsonl", "fields_full_build", b"\x18" + JSONL)
    put("jsonl", "basic_build", b"\x12" + JSONL)
    put("jsonl", "odd_skipbad", b"\x15" + JSONL_ODD)
    put("jsonl", "odd_strict", b"\x04" + JSONL_ODD)
    put("jsonl", "gzip_none_build", b"\x14" + gzip.compress(JSONL, mtime=0))
    put("csv", "fields_full_build", b"\x18" + CSV)
    put("csv", "none_build", b"\x14" + CSV)
    put("csv", "odd_skipbad", b"\x0d" + CSV_ODD)
    put("text", "full_build", b"\x10" + TEXT)
    put("text", "none", b"\x04" + TEXT)
    put("text", "utf8_crlf", b"\x12" + "naïve café\r\nÅngström 日本語\r\n\xff bad".encode("utf-8", "surrogateescape"))


def tiny_embedder(rng):
    """A minimal embedder model file (.stm, magic SAETMEMB; sections as src/embed/embed.c reads
    them): one head, every width 4, two layers, 6 reserved pieces and 34 real ones."""
    d, ff = 4, 4
    pieces = ["<unk>", "<s>", "</s>", "<pad>", "<r4>", "<r5>", "\u2581"] + list("abcdefghijklmnopqrstuvwxyz") + \
             ["\u2581the", "\u2581cat", "\u2581a", "at", "\u2581on", "\u00ef", "\u00e9"]
    strs, offs = bytearray(), []
    for pc in pieces:
        offs.append(len(strs))
        strs += pc.encode() + b"\0"
    scores = [0.0] * 6 + [-(1.0 + 0.1 * i) for i in range(len(pieces) - 6)]
    f = lambda *shape: (0.3 * rng.standard_normal(shape)).astype("<f4")
    secs = [("meta", "u8", np.frombuffer(b"name=tiny-fuzz\nversion=1\n", dtype="u1")),
            ("dims", "u32", [len(pieces), d, d, ff, 16, 1, d, d]),
            ("consts", "f32", [1e-6, 1e-12, 0.5, 0.5]),
            ("tok_emb", "f32", f(len(pieces), d)),
            ("timing_inv", "f32", np.array([[1.0, 0.01]], dtype="<f4"))]
    for l in (0, 1):
        for name, shape in (("ln1.g", (d,)), ("ln1.b", (d,)), ("qkv.w", (d, 3 * d)), ("qkv.b", (3 * d,)),
                            ("out.w", (d, d)), ("out.b", (d,)), ("ln2.g", (d,)), ("ln2.b", (d,)),
                            ("ff1.w", (d, ff)), ("ff1.b", (ff,)), ("ff2.w", (ff, d)), ("ff2.b", (d,))):
            secs.append(("l%d.%s" % (l, name), "f32", f(*shape)))
    secs += [("final.w", "f32", f(d, d)), ("final.b", "f32", f(d)),
             ("vocab.str", "u8", np.frombuffer(bytes(strs), dtype="u1")), ("vocab.off", "u64", offs),
             ("vocab.score", "f64", scores)]
    return container(b"SAETMEMB", 1, secs)


def pipeline_seeds(saetm):
    """Files made by the pipeline itself (needs the saetm binary)."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as t:
        src = os.path.join(t, "docs.jsonl")
        with open(src, "wb") as f:
            f.write(JSONL)
        for name, extra in (("meta.stc", ["--id-field", "id", "--date-field", "date", "--group-field", "group"]),
                            ("plain.stc", ["--preprocess", "none"])):
            out = os.path.join(t, name)
            subprocess.run([saetm, "corpus", "-q", "--input", src, "--out", out, "--min-df", "1", "--max-df", "1"]
                           + extra, check=True)
            with open(out, "rb") as f:
                put("corpus_file", name, f.read())
        # Files of the kinds the hostile-file test knows how to make (its --write-seeds mode).
        maker = os.path.join(ROOT, "build", "test", "tests", "reliability", "test_hostile_files")
        if os.path.exists(maker):
            subprocess.run([maker, "--write-seeds", t], check=True)
            for kind, fname, seed in (("interp", "interp.sti", "small.sti"), ("sae", "model.saem", "small.saem")):
                with open(os.path.join(t, fname), "rb") as f:
                    put(kind, seed, f.read())


if __name__ == "__main__":
    main()
