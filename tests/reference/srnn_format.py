"""Writer and reader of `.srnn` model files of float32 tensors: version 1, and version 4's
block-sparse matrices (a bit per piece of 4 rows x 8 columns, then the kept pieces' elements).

Written from models/FORMAT.md alone (struct and numpy), independently of the C loader, so that
the two can check each other. The reader validates strictly; the reference uses it to read back
every file it writes.
"""
import struct
import zlib
from dataclasses import dataclass

import numpy as np

MAGIC = b"SRNNMODL"
VERSION = 1
SPARSE_VERSION = 4
HEADER_SIZE = 128
ENTRY_SIZE = 96
ALIGN = 64
MAX_METADATA = 1 << 20
CHECKSUM_OFFSET = 24
DTYPE_FLOAT32 = 0
DTYPE_SPARSE = 0x100  # version 4: the dtype's flag for a block-sparse matrix
PIECE_ROWS, PIECE_COLUMNS = 4, 8

# magic, version, header_size, file_size, checksum, num_tensors, tensor_table_offset,
# metadata_offset, metadata_size, then the eleven u32 config fields and 28 reserved bytes.
HEADER = struct.Struct("<8sIIQIIQQQ11I28x")
# name, dtype, ndim, shape[4], offset, size
ENTRY = struct.Struct("<56sII4IQQ")
assert HEADER.size == HEADER_SIZE and ENTRY.size == ENTRY_SIZE

RNN_TYPES = ("gru", "lstm")  # index = the file's rnn_type code
Q_TYPES = ("mu-law", "linear")  # index = the file's q_type code


@dataclass(frozen=True)
class Config:
    """A model's hyper-parameters, named as in PRiSM's *.config.json plus the sample rate."""

    sample_rate: int = 16000
    frame_size: int = 16
    big_frame_size: int = 64
    dim: int = 1024
    num_rnn_layers: int = 4
    rnn_type: str = "gru"
    q_type: str = "mu-law"
    q_levels: int = 256
    skip_conn: bool = False
    seq_len: int = 1024
    emb_size: int = 256

    def check(self):
        """Raises ValueError naming the first field out of FORMAT.md's ranges."""
        def need(ok, what):
            if not ok:
                raise ValueError(f"bad config: {what} ({self})")

        need(1000 <= self.sample_rate <= 768000, "sample_rate not in 1000..768000")
        need(1 <= self.frame_size <= 1024, "frame_size not in 1..1024")
        need(self.big_frame_size >= self.frame_size
             and self.big_frame_size % self.frame_size == 0,
             "big_frame_size is not a multiple of frame_size")
        need(self.big_frame_size // self.frame_size <= 1024, "big_frame_size / frame_size > 1024")
        need(1 <= self.dim <= 8192, "dim not in 1..8192")
        need(1 <= self.num_rnn_layers <= 64, "num_rnn_layers not in 1..64")
        need(self.rnn_type in RNN_TYPES, "rnn_type not gru or lstm")
        need(self.q_type in Q_TYPES, "q_type not mu-law or linear")
        if self.q_type == "mu-law":
            need(self.q_levels == 256, "mu-law needs q_levels 256")
        else:
            need(2 <= self.q_levels <= 65536, "q_levels not in 2..65536")
        need(self.skip_conn in (False, True), "skip_conn not a boolean")
        need(self.seq_len > 0 and self.seq_len % self.big_frame_size == 0,
             "seq_len is not a positive multiple of big_frame_size")
        need(0 <= self.emb_size < 1 << 32, "emb_size not a u32")


def seq_len_for(big_frame_size, at_least=1024):
    """The smallest multiple of big_frame_size not below at_least (PRiSM's default 1024)."""
    return -(-at_least // big_frame_size) * big_frame_size


def tensor_shapes(cfg):
    """The tensors a config requires, as (name, shape) in FORMAT.md's table order."""
    d, gates = cfg.dim, 3 if cfg.rnn_type == "gru" else 4
    shapes = []
    for tier, width, upsample in (("big_frame", cfg.big_frame_size,
                                   cfg.big_frame_size // cfg.frame_size),
                                  ("frame", cfg.frame_size, cfg.frame_size)):
        shapes += [(f"{tier}/input/kernel", (width, d)), (f"{tier}/input/bias", (d,))]
        for i in range(cfg.num_rnn_layers):
            layer = f"{tier}/rnn/layer_{i}"
            width_in = 2 * d if cfg.skip_conn and i == 0 else d
            shapes += [(f"{layer}/kernel", (width_in, gates * d)),
                       (f"{layer}/recurrent_kernel", (d, gates * d)),
                       (f"{layer}/bias", (2, 3 * d) if cfg.rnn_type == "gru" else (4 * d,))]
            if cfg.skip_conn:
                shapes.append((f"{layer}/skip_out/kernel", (d, d)))
                if i == 0:
                    shapes.append((f"{layer}/skip_out/bias", (d,)))
        shapes.append((f"{tier}/upsample", (upsample, d, d)))
    q, f = cfg.q_levels, cfg.frame_size
    shapes += [("sample_mlp/embedding", (q, q)),
               ("sample_mlp/input/kernel", (f, q, d)),
               ("sample_mlp/hidden1/kernel", (d, d)), ("sample_mlp/hidden1/bias", (d,)),
               ("sample_mlp/hidden2/kernel", (d, d)), ("sample_mlp/hidden2/bias", (d,)),
               ("sample_mlp/output/kernel", (d, q)), ("sample_mlp/output/bias", (q,))]
    return shapes


def _check_metadata(pairs):
    for key, value in pairs:
        if not key or "=" in key or "\n" in key or "\0" in key:
            raise ValueError(f"bad metadata key {key!r}")
        if "\n" in value or "\0" in value:
            raise ValueError(f"bad metadata value for {key!r}")


def _align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


def piece_grid(shape):
    """(pieces down, pieces across) of a matrix."""
    return -(-shape[0] // PIECE_ROWS), -(-shape[1] // PIECE_COLUMNS)


def element_mask(pieces, shape):
    """The elements of a matrix that lie in the pieces marked True."""
    return np.repeat(np.repeat(pieces, PIECE_ROWS, 0), PIECE_COLUMNS, 1)[:shape[0], :shape[1]]


def prune(matrix, density):
    """(pruned matrix, piece mask): the ceil(density * pieces) pieces of the largest L2 norm
    kept (ties: the first in row-major order), the others zero, as srnn convert --density."""
    down, across = piece_grid(matrix.shape)
    padded = np.zeros((down * PIECE_ROWS, across * PIECE_COLUMNS))
    padded[:matrix.shape[0], :matrix.shape[1]] = np.asarray(matrix, np.float64) ** 2
    energy = padded.reshape(down, PIECE_ROWS, across, PIECE_COLUMNS).sum(axis=(1, 3)).ravel()
    keep = int(np.ceil(density * energy.size))
    order = np.lexsort((np.arange(energy.size), -energy))  # by energy down, then position
    pieces = np.zeros(energy.size, bool)
    pieces[order[:keep]] = True
    pieces = pieces.reshape(down, across)
    return np.where(element_mask(pieces, matrix.shape), matrix, 0).astype(np.float32), pieces


def encode_model(cfg, tensors, metadata=(), sparse=None):
    """The bytes of a model file.

    tensors maps every required name to an array of its shape; metadata is a sequence of
    (key, value) pairs; sparse maps names of matrices to store block-sparse (version 4) to
    their piece masks (booleans, piece_grid's shape). Tensors go in FORMAT.md's table order,
    then the metadata at the end.
    """
    sparse = sparse or {}
    cfg.check()
    shapes = tensor_shapes(cfg)
    if set(tensors) != {name for name, _ in shapes}:
        raise ValueError(f"tensor names differ from the config's: "
                         f"{sorted(set(tensors) ^ {name for name, _ in shapes})}")
    metadata = list(metadata)
    _check_metadata(metadata)
    meta = "".join(f"{k}={v}\n" for k, v in metadata).encode("utf-8")
    if len(meta) > MAX_METADATA:
        raise ValueError("metadata over 1 MiB")

    offset = HEADER_SIZE + ENTRY_SIZE * len(shapes)
    table, blobs = [], []
    for name, shape in shapes:
        data = np.ascontiguousarray(tensors[name], dtype="<f4")
        if data.shape != shape:
            raise ValueError(f"{name}: shape {data.shape}, the config needs {shape}")
        if not np.all(np.isfinite(data)):
            raise ValueError(f"{name}: not finite")
        offset = _align(offset)
        padded = tuple(shape) + (0,) * (4 - len(shape))
        blob, dtype = data.tobytes(), DTYPE_FLOAT32
        if name in sparse:
            pieces = np.asarray(sparse[name], bool)
            blob = (np.packbits(pieces.ravel(), bitorder="little").tobytes() +
                    data[element_mask(pieces, shape)].tobytes())
            dtype |= DTYPE_SPARSE
        table.append(ENTRY.pack(name.encode("ascii"), dtype, len(shape), *padded, offset,
                                len(blob)))
        blobs.append((offset, blob))
        offset += len(blob)
    meta_offset = offset if meta else 0
    file_size = offset + len(meta)

    out = bytearray(file_size)
    out[HEADER_SIZE:HEADER_SIZE + len(table) * ENTRY_SIZE] = b"".join(table)
    for at, blob in blobs:
        out[at:at + len(blob)] = blob
    out[offset:] = meta
    out[:HEADER_SIZE] = HEADER.pack(
        MAGIC, SPARSE_VERSION if sparse else VERSION, HEADER_SIZE, file_size, 0, len(shapes), HEADER_SIZE, meta_offset,
        len(meta), cfg.sample_rate, cfg.frame_size, cfg.big_frame_size, cfg.dim,
        cfg.num_rnn_layers, RNN_TYPES.index(cfg.rnn_type), Q_TYPES.index(cfg.q_type),
        cfg.q_levels, int(cfg.skip_conn), cfg.seq_len, cfg.emb_size)
    struct.pack_into("<I", out, CHECKSUM_OFFSET, zlib.crc32(out))
    return bytes(out)


def write_model(path, cfg, tensors, metadata=(), sparse=None):
    with open(path, "wb") as f:
        f.write(encode_model(cfg, tensors, metadata, sparse))


def decode_model(data, masks=None):
    """(config, {name: float32 array}, [(key, value)]) from a file's bytes, validated in
    FORMAT.md's order; raises ValueError naming the first problem. Block-sparse matrices come
    back whole, zero outside their kept pieces, and their piece masks into masks (a dict)."""
    if len(data) < HEADER_SIZE:
        raise ValueError("shorter than the header")
    (magic, version, header_size, file_size, checksum, num_tensors, table_offset, meta_offset,
     meta_size, *fields) = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ValueError("bad magic")
    if version not in (VERSION, SPARSE_VERSION):
        raise ValueError(f"version {version}, this reader reads versions {VERSION} and "
                         f"{SPARSE_VERSION} (float32 tensors)")
    if header_size != HEADER_SIZE:
        raise ValueError(f"header_size {header_size}")
    if file_size != len(data):
        raise ValueError("truncated" if file_size > len(data) else "trailing bytes")
    zeroed = bytearray(data)
    struct.pack_into("<I", zeroed, CHECKSUM_OFFSET, 0)
    if zlib.crc32(zeroed) != checksum:
        raise ValueError("checksum mismatch")
    if any(data[100:HEADER_SIZE]):
        raise ValueError("reserved header bytes are not zero")
    rate, f, bf, d, layers, rnn, qt, q, skip, seq_len, emb = fields
    if rnn >= len(RNN_TYPES) or qt >= len(Q_TYPES) or skip > 1:
        raise ValueError("bad rnn_type, q_type or skip_conn code")
    cfg = Config(rate, f, bf, d, layers, RNN_TYPES[rnn], Q_TYPES[qt], q, bool(skip), seq_len,
                 emb)
    cfg.check()

    shapes = dict(tensor_shapes(cfg))
    if num_tensors != len(shapes):
        raise ValueError(f"{num_tensors} tensors, the config needs {len(shapes)}")
    table_end = table_offset + ENTRY_SIZE * num_tensors
    if table_offset != HEADER_SIZE or table_end > len(data):
        raise ValueError("tensor table outside the file")
    tensors, end = {}, table_end
    for i in range(num_tensors):
        raw_name, dtype, ndim, *dims, offset, size = ENTRY.unpack_from(
            data, table_offset + i * ENTRY_SIZE)
        if b"\0" not in raw_name:
            raise ValueError(f"tensor {i}: name not terminated")
        name_bytes, padding = raw_name.split(b"\0", 1)
        name = name_bytes.decode("ascii", "replace")
        if any(padding):
            raise ValueError(f"{name}: name not NUL-padded")
        if name not in shapes or name in tensors:
            raise ValueError(f"{name}: unknown or repeated tensor")
        shape = tuple(dims[:ndim]) if 1 <= ndim <= 4 else None
        is_sparse = version == SPARSE_VERSION and dtype == DTYPE_FLOAT32 | DTYPE_SPARSE
        if (dtype != DTYPE_FLOAT32 and not is_sparse) or shape != shapes[name] or any(dims[ndim:]):
            raise ValueError(f"{name}: dtype {dtype} shape {dims[:ndim]}, "
                             f"expected float32 {shapes[name]}")
        if offset % ALIGN or offset < end or offset + size > len(data):
            raise ValueError(f"{name}: data misplaced at {offset}")
        if not is_sparse:
            if size != 4 * int(np.prod(shape)):
                raise ValueError(f"{name}: size {size} does not match the shape")
            tensors[name] = np.frombuffer(data, "<f4", size // 4, offset).reshape(shape).copy()
        else:
            if ndim != 2:
                raise ValueError(f"{name}: block-sparse but not a matrix")
            grid = piece_grid(shape)
            mask_size = -(-grid[0] * grid[1] // 8)
            bits = np.unpackbits(np.frombuffer(data, np.uint8, mask_size, offset), bitorder="little")
            if any(bits[grid[0] * grid[1]:]):
                raise ValueError(f"{name}: block mask bits set past its pieces")
            pieces = bits[:grid[0] * grid[1]].reshape(grid).astype(bool)
            kept = element_mask(pieces, shape)
            if size != mask_size + 4 * int(kept.sum()):
                raise ValueError(f"{name}: size {size} does not match its block mask")
            value = np.zeros(shape, np.float32)
            value[kept] = np.frombuffer(data, "<f4", int(kept.sum()), offset + mask_size)
            tensors[name] = value
            if masks is not None:
                masks[name] = pieces
        end = offset + size

    if meta_size > MAX_METADATA or (meta_size == 0) != (meta_offset == 0):
        raise ValueError("bad metadata size or offset")
    metadata = []
    if meta_size:
        if meta_offset < table_end or meta_offset + meta_size > len(data):
            raise ValueError("metadata outside the file")
        text = data[meta_offset:meta_offset + meta_size].decode("utf-8")
        if not text.endswith("\n"):
            raise ValueError("metadata does not end in a newline")
        for line in text[:-1].split("\n"):
            key, sep, value = line.partition("=")
            if not sep:
                raise ValueError(f"metadata line {line!r} has no '='")
            metadata.append((key, value))
        _check_metadata(metadata)
    for name, value in tensors.items():
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name}: not finite")
    return cfg, tensors, metadata


def read_model(path):
    with open(path, "rb") as f:
        return decode_model(f.read())
