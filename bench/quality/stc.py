"""stc.py - read saetm section-container files (docs/FORMAT.md) from Python, in particular corpus
files (.stc): the bag-of-words as a scipy CSR matrix and the vocabulary, so baselines run on
exactly the bag-of-words and vocabulary saetm uses. Every checksum is verified.
"""
import struct
import zlib

import numpy as np

DTYPES = {1: np.uint8, 2: np.uint32, 3: np.uint64, 4: np.float32, 5: np.int32, 6: np.float64, 7: np.int64}


class FormatError(Exception):
    pass


def read_container(path, magic=None):
    """Return (magic, version, {name: numpy array}) of a saetm container file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 64 or data[:5] != b"SAETM":
        raise FormatError("%s: not a saetm file" % path)
    kind = data[:8].decode("ascii", "replace")
    if magic and kind != magic:
        raise FormatError("%s: is a %s file, expected %s" % (path, kind, magic))
    version, n_sec, table_off, size, crc_table, crc_head = struct.unpack_from("<IIQQII", data, 8)
    if zlib.crc32(data[:36]) != crc_head:
        raise FormatError("%s: header checksum mismatch" % path)
    if size != len(data) or table_off + 64 * n_sec > len(data):
        raise FormatError("%s: truncated or bad sizes" % path)
    table = data[table_off:table_off + 64 * n_sec]
    if zlib.crc32(table) != crc_table:
        raise FormatError("%s: section table checksum mismatch" % path)
    sections = {}
    for i in range(n_sec):
        raw_name, dtype, crc, off, nbytes, rows, cols, _ = struct.unpack_from("<16sIIQQQQQ", table, 64 * i)
        name = raw_name.rstrip(b"\0").decode("ascii")
        if off + nbytes > len(data):
            raise FormatError("%s: section %s out of bounds" % (path, name))
        body = data[off:off + nbytes]
        if zlib.crc32(body) != crc:
            raise FormatError("%s: section %s checksum mismatch" % (path, name))
        arr = np.frombuffer(body, dtype=DTYPES[dtype])
        if cols > 1:
            arr = arr.reshape(int(rows), int(cols))
        sections[name] = arr
    return kind, version, sections


def strings(sections, name):
    """A string column: blob `name` (u8, NUL-terminated strings) indexed by `name_off` (u64)."""
    blob = sections[name].tobytes()
    out = []
    for o in sections[name + "_off"]:
        o = int(o)
        if o == 2**64 - 1:
            out.append(None)
        else:
            out.append(blob[o:blob.index(b"\0", o)].decode("utf-8"))
    return out


class Corpus:
    """A .stc corpus: .bow (scipy.sparse CSR, documents x vocabulary, counts), .vocab (list),
    .empty (bool array), .n_docs."""

    def __init__(self, path):
        import scipy.sparse as sp
        _, self.version, s = read_container(path, "SAETMCRP")
        self.vocab = strings(s, "vocab")
        row_ptr = s["row_ptr"].astype(np.int64)
        self.n_docs = len(row_ptr) - 1
        self.bow = sp.csr_matrix((s["counts"].astype(np.float64), s["word_ids"].astype(np.int64), row_ptr),
                                 shape=(self.n_docs, len(self.vocab)))
        self.empty = np.diff(row_ptr) == 0
        self.path = path
