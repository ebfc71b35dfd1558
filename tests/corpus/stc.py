"""stc.py - an independent reader and writer of saetm corpus files (.stc) for the Python
cross-checks.

Follows docs/FORMAT.md only (it does not use the C library): header, section table, sections.
"""
import struct
import zlib

import numpy as np

CODES = {np.dtype(np.uint8): 1, np.dtype(np.uint32): 2, np.dtype(np.uint64): 3}
DTYPES = {1: np.uint8, 2: np.uint32, 3: np.uint64, 4: np.float32, 5: np.int32, 6: np.float64, 7: np.int64}


def read_container(path, magic=b"SAETMCRP"):
    data = open(path, "rb").read()
    assert data[:8] == magic, "bad magic"
    version, n_sec, table_off, size, table_crc, header_crc = struct.unpack_from("<IIQQII", data, 8)
    assert size == len(data)
    assert zlib.crc32(data[:36]) == header_crc
    table = data[table_off:table_off + 64 * n_sec]
    assert zlib.crc32(table) == table_crc
    sections = {}
    for i in range(n_sec):
        name, dtype, crc, off, nbytes, rows, cols, _ = struct.unpack_from("<16sIIQQQQQ", table, 64 * i)
        name = name.rstrip(b"\0").decode()
        raw = data[off:off + nbytes]
        assert zlib.crc32(raw) == crc, name
        sections[name] = np.frombuffer(raw, dtype=DTYPES[dtype]).reshape(rows, cols) if rows else \
            np.zeros((0, cols), DTYPES[dtype])
    return version, sections


def strings(sections, name):
    blob = sections[name].tobytes()
    out = []
    for o in sections[name + "_off"].ravel():
        if o == 0xFFFFFFFFFFFFFFFF:
            out.append(None)
        else:
            out.append(blob[o:blob.index(b"\0", o)].decode())
    return out


class Corpus:
    def __init__(self, path):
        self.version, s = read_container(path)
        self.s = s
        shape = s["shape"].ravel()
        self.n_docs, self.n_vocab, self.nnz, self.n_tokens, self.n_empty = (int(x) for x in shape[:5])
        self.vocab = strings(s, "vocab")
        self.df = s["df"].ravel()
        self.row_ptr = s["row_ptr"].ravel()
        self.word_ids = s["word_ids"].ravel()
        self.counts = s["counts"].ravel()
        self.empty = s["empty"].ravel()
        self.ids = strings(s, "doc_id")
        self.dates = strings(s, "date")
        self.groups = strings(s, "group")
        self.snippets = strings(s, "snippet")
        self.info = s["info"].tobytes().rstrip(b"\0").decode()

    def doc(self, d):
        """{word: count} of document d."""
        a, b = self.row_ptr[d], self.row_ptr[d + 1]
        return {self.vocab[w]: int(c) for w, c in zip(self.word_ids[a:b], self.counts[a:b])}


def write_container(path, magic, version, sections):
    """sections: list of (name, 1-D numpy array of u8/u32/u64), written as docs/FORMAT.md says."""
    body = bytearray(64)
    table = bytearray()
    for name, a in sections:
        a = np.ascontiguousarray(a)
        body += bytes((-len(body)) % 64)
        raw = a.tobytes()
        table += struct.pack("<16sIIQQQQQ", name.encode(), CODES[a.dtype], zlib.crc32(raw), len(body), len(raw),
                             a.shape[0], 1, 0)
        body += raw
    body += bytes((-len(body)) % 64)
    table_off = len(body)
    body += table
    head = struct.pack("<8sIIQQI", magic, version, len(sections), table_off, len(body), zlib.crc32(bytes(table)))
    body[0:64] = head + struct.pack("<I", zlib.crc32(head)) + bytes(24)
    with open(path, "wb") as f:
        f.write(body)


def string_sections(name, values):
    blob, off = bytearray(), []
    for v in values:
        if v is None:
            off.append(0xFFFFFFFFFFFFFFFF)
        else:
            off.append(len(blob))
            blob += v.encode() + b"\0"
    return [(name + "_off", np.array(off, dtype=np.uint64)), (name, np.frombuffer(bytes(blob), dtype=np.uint8))]


def write(path, c):
    """Write the Corpus c (or anything with the same fields) as a .stc file."""
    shape = np.array([c.n_docs, c.n_vocab, c.nnz, c.n_tokens, c.n_empty, 0, 0, 0], dtype=np.uint64)
    secs = [("shape", shape), ("info", np.frombuffer(c.info.encode() + b"\0", dtype=np.uint8))]
    secs += string_sections("vocab", c.vocab)
    secs += [("df", np.asarray(c.df, np.uint32)), ("row_ptr", np.asarray(c.row_ptr, np.uint64)),
             ("word_ids", np.asarray(c.word_ids, np.uint32)), ("counts", np.asarray(c.counts, np.uint32)),
             ("empty", np.asarray(c.empty, np.uint8))]
    for name, col in (("doc_id", c.ids), ("date", c.dates), ("group", c.groups), ("snippet", c.snippets)):
        secs += string_sections(name, col)
    write_container(path, b"SAETMCRP", 1, secs)
