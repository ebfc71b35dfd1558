"""Read saetm section-container files (docs/FORMAT.md) into NumPy arrays, for Python tests."""
import struct

import numpy as np

DTYPES = {1: np.uint8, 2: np.uint32, 3: np.uint64, 4: np.float32, 5: np.int32, 6: np.float64, 7: np.int64}


def read_container(path):
    """Return (magic, version, {section name: array of shape (rows, cols) or (rows,) when cols == 1})."""
    data = open(path, 'rb').read()
    magic = data[:8].decode('ascii')
    version, n_sections, table_offset, file_size = struct.unpack_from('<IIQQ', data, 8)
    assert file_size == len(data), 'size mismatch'
    out = {}
    for i in range(n_sections):
        entry = data[table_offset + 64 * i: table_offset + 64 * (i + 1)]
        name = entry[:16].split(b'\0')[0].decode('ascii')
        dtype, _crc, offset, nbytes, rows, cols = struct.unpack_from('<IIQQQQ', entry, 16)
        arr = np.frombuffer(data, dtype=DTYPES[dtype], count=rows * cols, offset=offset)
        out[name] = arr.reshape(rows, cols) if cols > 1 else arr.copy()
    return magic, version, out
