"""Hostile .srnn files for tests/test_bad_model.sh, and tiny valid ones for the fuzzer's seeds.

    bad_models.py variants BASE DIR   writes broken copies of the valid model BASE into DIR and
                                      prints one line per case: FILE <tab> NAME <tab> REGEX, where
                                      REGEX (grep -Ei) must match the loader's one-line error
    bad_models.py valid BASE DIR      writes copies that must still load (the controls) and
                                      prints one FILE per line
    bad_models.py seeds DIR           writes small valid models (tests/fuzz/seeds)

Standard library only, and written from models/FORMAT.md alone, so that it checks the C loader
rather than sharing its mistakes. Most variants recompute the checksum so that the check meant
to fire is the one that does, rather than the checksum.
"""
import os
import random
import struct
import sys
import zlib

HEADER_SIZE = 128
ENTRY_SIZE = 96
ALIGN = 64

# offset and struct code of every header field
HEADER = {
    "magic": (0, "8s"), "version": (8, "I"), "header_size": (12, "I"), "file_size": (16, "Q"),
    "checksum": (24, "I"), "num_tensors": (28, "I"), "tensor_table_offset": (32, "Q"),
    "metadata_offset": (40, "Q"), "metadata_size": (48, "Q"), "sample_rate": (56, "I"),
    "frame_size": (60, "I"), "big_frame_size": (64, "I"), "dim": (68, "I"),
    "num_rnn_layers": (72, "I"), "rnn_type": (76, "I"), "q_type": (80, "I"),
    "q_levels": (84, "I"), "skip_conn": (88, "I"), "seq_len": (92, "I"), "emb_size": (96, "I"),
}
ENTRY = {"name": (0, "56s"), "dtype": (56, "I"), "ndim": (60, "I"), "shape": (64, "4I"),
         "offset": (80, "Q"), "size": (88, "Q")}


def get(buf, field, base=0, table=HEADER):
    off, code = table[field]
    values = struct.unpack_from("<" + code, buf, base + off)
    return values if len(values) > 1 else values[0]


def put(buf, field, value, base=0, table=HEADER):
    off, code = table[field]
    values = value if isinstance(value, (tuple, list)) else (value,)
    struct.pack_into("<" + code, buf, base + off, *values)


def entry_base(i):
    return HEADER_SIZE + i * ENTRY_SIZE


def entries(buf):
    """(index, name) of every table entry, in table order."""
    return [(i, get(buf, "name", entry_base(i), ENTRY).rstrip(b"\0").decode())
            for i in range(get(buf, "num_tensors"))]


def fix_checksum(buf):
    put(buf, "checksum", 0)
    put(buf, "checksum", zlib.crc32(buf))
    return buf


def align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


# ---- writer of valid models ----

def tensor_shapes(cfg):
    """(name, shape) of every tensor the config requires, in FORMAT.md's order."""
    f, bf, d, q, layers = (cfg[k] for k in ("frame_size", "big_frame_size", "dim", "q_levels",
                                            "num_rnn_layers"))
    gates = 3 if cfg["rnn_type"] == 0 else 4
    shapes = []
    for tier, inputs, ups in (("big_frame", bf, [bf // f, d, d]), ("frame", f, [f, d, d])):
        shapes += [(f"{tier}/input/kernel", [inputs, d]), (f"{tier}/input/bias", [d])]
        for i in range(layers):
            width = 2 * d if cfg["skip_conn"] and i == 0 else d
            rnn = f"{tier}/rnn/layer_{i}"
            shapes += [(f"{rnn}/kernel", [width, gates * d]),
                       (f"{rnn}/recurrent_kernel", [d, gates * d]),
                       (f"{rnn}/bias", [2, 3 * d] if gates == 3 else [4 * d])]
            if cfg["skip_conn"]:
                shapes.append((f"{rnn}/skip_out/kernel", [d, d]))
                if i == 0:
                    shapes.append((f"{rnn}/skip_out/bias", [d]))
        shapes.append((f"{tier}/upsample", ups))
    shapes += [("sample_mlp/embedding", [q, q]), ("sample_mlp/input/kernel", [f, q, d])]
    for layer in ("hidden1", "hidden2"):
        shapes += [(f"sample_mlp/{layer}/kernel", [d, d]), (f"sample_mlp/{layer}/bias", [d])]
    shapes += [("sample_mlp/output/kernel", [d, q]), ("sample_mlp/output/bias", [q])]
    return shapes


def write_model(cfg, metadata=b"", seed=0):
    """A complete file with uniform random weights; metadata goes last."""
    shapes = tensor_shapes(cfg)
    rng = random.Random(seed)
    offset = align(HEADER_SIZE + ENTRY_SIZE * len(shapes))
    table, data = bytearray(), bytearray()
    for name, shape in shapes:
        count = 1
        for n in shape:
            count *= n
        weights = struct.pack(f"<{count}f", *(rng.uniform(-1, 1) for _ in range(count)))
        table += struct.pack("<56sII4IQQ", name.encode(), 0, len(shape),
                             *(shape + [0] * (4 - len(shape))), offset + len(data), len(weights))
        data += weights + bytes(align(len(weights)) - len(weights))
    buf = bytearray(HEADER_SIZE) + table
    buf += bytes(align(len(buf)) - len(buf)) + data
    put(buf, "magic", b"SRNNMODL")
    put(buf, "version", 1)
    put(buf, "header_size", HEADER_SIZE)
    put(buf, "num_tensors", len(shapes))
    put(buf, "tensor_table_offset", HEADER_SIZE)
    for key, value in cfg.items():
        put(buf, key, value)
    if metadata:
        put(buf, "metadata_offset", len(buf))
        put(buf, "metadata_size", len(metadata))
        buf += metadata
    put(buf, "file_size", len(buf))
    return fix_checksum(buf)


SEEDS = {  # name: config changes from TINY, metadata
    "gru_d2_q4": ({}, b""),
    "lstm_skip_d3_l2_q8": ({"rnn_type": 1, "dim": 3, "num_rnn_layers": 2, "q_levels": 8,
                            "skip_conn": 1}, b"name=tiny lstm\ncreated_by=bad_models.py\n"),
    "gru_skip_d4_l2_bf8_q6": ({"dim": 4, "num_rnn_layers": 2, "big_frame_size": 8,
                               "q_levels": 6, "skip_conn": 1, "seq_len": 64}, b""),
    "lstm_f1_q5": ({"rnn_type": 1, "frame_size": 1, "q_levels": 5}, b"name=f1\n"),
    "gru_f4_bf4_l3_q2": ({"dim": 3, "num_rnn_layers": 3, "frame_size": 4, "q_levels": 2},
                         b"name=smallest q\ndescription=BF = F\n"),
}
TINY = {"sample_rate": 16000, "frame_size": 2, "big_frame_size": 4, "dim": 2,
        "num_rnn_layers": 1, "rnn_type": 0, "q_type": 1, "q_levels": 4, "skip_conn": 0,
        "seq_len": 32, "emb_size": 4}


def write_seeds(outdir):
    os.makedirs(outdir, exist_ok=True)
    for i, (name, (changes, metadata)) in enumerate(SEEDS.items()):
        buf = write_model({**TINY, **changes}, metadata, seed=i)
        assert len(buf) < 65536, name
        with open(os.path.join(outdir, name + ".srnn"), "wb") as f:
            f.write(buf)


# ---- hostile variants of a valid file ----

def with_metadata(base, text):
    """base with text appended as its metadata (any old metadata is left unreferenced)."""
    buf = bytearray(base) + text
    put(buf, "metadata_offset", len(base))
    put(buf, "metadata_size", len(text))
    put(buf, "file_size", len(buf))
    return fix_checksum(buf)


def valid_variants(base):
    """Copies that must still load: they show the edits below change only what they mean to."""
    yield "control_base", bytearray(base)
    yield "control_rechecksummed", fix_checksum(bytearray(base))
    yield "control_metadata", with_metadata(base, b"name=x\nunknown_key=a=b\n")


def variants(base):
    """(name, bytes or None for no file, regex the error must match)."""
    size = len(base)
    table = entries(base)
    names = dict((n, i) for i, n in table)
    by_offset = sorted(table, key=lambda e: get(base, "offset", entry_base(e[0]), ENTRY))

    def edit(*changes, checksum=True):
        buf = bytearray(base)
        for field, value in changes:
            put(buf, field, value)
        return fix_checksum(buf) if checksum else buf

    def edit_entry(name, *changes):
        buf = bytearray(base)
        for field, value in changes:
            put(buf, field, value, entry_base(names[name]), ENTRY)
        return fix_checksum(buf)

    def set_float(buf, offset, bits):
        struct.pack_into("<I", buf, offset, bits)
        return fix_checksum(buf)

    yield "missing", None, "no such|not exist|not found|open"
    yield "empty", b"", "empty|trunc|short|small|header|map|magic|not a"
    yield "ten_bytes", base[:10], "trunc|short|small|header"
    yield "text", b"This is not a model, just a line of text.\n" * 8, "magic|not a"
    for cut in (64, 127, HEADER_SIZE, HEADER_SIZE + ENTRY_SIZE * 3 + 5,
                get(base, "offset", entry_base(by_offset[len(table) // 2][0]), ENTRY) + 8,
                size - 1):
        yield f"truncated_{cut}", base[:cut], "trunc|short|small|header"
    yield "trailing_byte", base + b"\0", "trailing"
    yield "trailing_garbage", base + random.Random(1).randbytes(4096), "trailing"
    yield "file_size_larger", edit(("file_size", size + 64)), "trunc"
    yield "file_size_smaller", edit(("file_size", size - 64)), "trailing"

    for at in (24, 28, 60, 100, HEADER_SIZE, HEADER_SIZE + 56, size // 2, size - 1):
        buf = bytearray(base)
        buf[at] ^= 0x10
        yield f"bitflip_{at}", buf, "checksum"
    yield "checksum_off_by_one", edit(("checksum", (get(base, "checksum") + 1) & 0xFFFFFFFF),
                                      checksum=False), "checksum"

    yield "magic_last_byte", edit(("magic", b"SRNNMODX")), "magic|not a"
    yield "magic_lower_case", edit(("magic", b"srnnmodl")), "magic|not a"
    for version in (0, 5, 0xFFFFFFFF):  # 2, 3 and 4 are the formats with dtypes
        yield f"version_{version}", edit(("version", version)), "version"
    yield "header_size_64", edit(("header_size", 64)), "header"
    yield "header_size_256", edit(("header_size", 256)), "header"

    # every config field out of its range, or breaking a relation with another field
    f, bf = get(base, "frame_size"), get(base, "big_frame_size")
    config_cases = [
        ("sample_rate", 999, "sample[_ ]rate"), ("sample_rate", 768001, "sample[_ ]rate"),
        ("frame_size", 0, "frame[_ ]size"), ("frame_size", 1025, "frame[_ ]size"),
        ("big_frame_size", f * 1025, "big[_ ]frame"), ("big_frame_size", 0, "big[_ ]frame"),
        ("dim", 0, "dim"), ("dim", 8193, "dim"),
        ("num_rnn_layers", 0, "layers"), ("num_rnn_layers", 65, "layers"),
        ("rnn_type", 2, "rnn[_ ]type"), ("q_type", 2, "q[_ ]type"),
        ("skip_conn", 2, "skip"), ("num_tensors", 0xFFFFFFFF, "tensors|table|trunc"),
        ("tensor_table_offset", 256, "table"),
    ]
    if f > 1:
        config_cases.append(("big_frame_size", bf + 1, "big[_ ]frame"))
    if bf > 1:
        config_cases.append(("seq_len", bf * 4 + 1, "seq[_ ]len"))
    for field, value, regex in config_cases:
        yield f"{field}_{value}", edit((field, value)), regex
    if get(base, "q_type") == 0:
        yield "mulaw_q_levels_255", edit(("q_levels", 255)), "q[_ ]levels"
    for q in (1, 65537):
        yield f"linear_q_levels_{q}", edit(("q_type", 1), ("q_levels", q)), "q[_ ]levels"
    buf = bytearray(base)
    buf[127] = 1
    yield "reserved_nonzero", fix_checksum(buf), "reserved"

    # tensor table: pick tensors by name so any valid base works
    first, middle, last = by_offset[0][1], by_offset[len(table) // 2][1], by_offset[-1][1]
    second = by_offset[1][1]
    yield "missing_tensor", edit(("num_tensors", len(table) - 1)), \
        f"missing|tensors|count|{table[-1][1]}"
    yield "name_unterminated", edit_entry(middle, ("name", b"x" * 56)), "name|terminat"
    yield "name_unknown", edit_entry(middle, ("name", b"big_frame/bogus")), "bogus|unknown"
    yield "name_empty", edit_entry(middle, ("name", b"")), "name|unknown"
    # an error that quotes the name must still be one line, and not drive the terminal
    yield "name_newline", edit_entry(middle, ("name", b"big_frame/\nbogus")), "bogus|unknown"
    yield "name_escape", edit_entry(middle, ("name", b"big_frame/\x1b[2Jbogus\xff")), \
        "bogus|unknown"
    # two tensors of the same shape, one renamed to the other: only the name is wrong
    shapes = {}
    for i, name in table:
        shapes.setdefault(get(base, "shape", entry_base(i), ENTRY), []).append(name)
    twins = next(names for names in shapes.values() if len(names) > 1)
    yield "duplicate_name", edit_entry(twins[1], ("name", twins[0].encode())), \
        f"duplicate|twice|more than once|again|missing|{twins[0]}|{twins[1]}"
    yield "dtype_1", edit_entry(middle, ("dtype", 1)), "dtype|type"
    yield "ndim_0", edit_entry(middle, ("ndim", 0)), f"ndim|dimension|shape|{middle}"
    yield "ndim_5", edit_entry(middle, ("ndim", 5)), f"ndim|dimension|shape|{middle}"
    shape = list(get(base, "shape", entry_base(names[middle]), ENTRY))
    count = 1
    for n in shape:
        count *= n or 1
    yield "shape_wrong", edit_entry(middle, ("shape", [shape[0] + 1] + shape[1:]),
                                    ("size", count // shape[0] * (shape[0] + 1) * 4)), \
        f"shape|{middle}"
    # the size stored is the overflowed product, so only a checked multiplication finds it
    huge = [0xFFFFFFFF] * 3
    yield "shape_overflow", edit_entry("sample_mlp/input/kernel", ("shape", huge + [0]),
                                       ("size", 0xFFFFFFFF ** 3 * 4 % 2 ** 64)), \
        "shape|overflow|size|sample_mlp/input/kernel"
    yield "size_wrong", edit_entry(middle, ("size", count * 4 + 4)), f"size|{middle}"
    yield "size_huge", edit_entry(middle, ("size", 2 ** 64 - 4)), f"size|{middle}"
    yield "offset_past_end", edit_entry(last, ("offset", align(size) + ALIGN)), \
        f"{last}|outside|past|beyond|end|trunc"
    # offset + size wraps around to a small number
    yield "offset_wraps", edit_entry(last, ("offset", 2 ** 64 - ALIGN)), \
        f"{last}|outside|past|beyond|end|trunc|overflow"
    mid_offset = get(base, "offset", entry_base(names[middle]), ENTRY)
    yield "offset_misaligned", edit_entry(middle, ("offset", mid_offset + 4)), "align"
    yield "offset_in_table", edit_entry(first, ("offset", HEADER_SIZE)), \
        f"table|overlap|{first}"
    yield "offset_overlaps", edit_entry(second, ("offset", get(
        base, "offset", entry_base(names[first]), ENTRY))), f"overlap|order|{first}|{second}"

    # weights that are not finite
    buf = bytearray(base)
    yield "nan_weight", set_float(buf, mid_offset, 0x7FC00000), f"nan|finite|{middle}"
    buf = bytearray(base)
    yield "inf_weight", set_float(buf, get(base, "offset", entry_base(names[first]), ENTRY),
                                  0x7F800000), f"inf|finite|{first}"
    buf = bytearray(base)
    last_end = (get(base, "offset", entry_base(names[last]), ENTRY)
                + get(base, "size", entry_base(names[last]), ENTRY))
    yield "negative_nan_last_weight", set_float(buf, last_end - 4, 0xFFFFFFFF), \
        f"nan|finite|{last}"

    # metadata in the wrong place or malformed
    yield "metadata_past_end", edit(("metadata_offset", size - 4), ("metadata_size", 16)), \
        "metadata"
    yield "metadata_in_table", edit(("metadata_offset", HEADER_SIZE), ("metadata_size", 16)), \
        "metadata"
    yield "metadata_offset_wraps", edit(("metadata_offset", 2 ** 64 - 8),
                                        ("metadata_size", 16)), "metadata"
    yield "metadata_size_huge", edit(("metadata_offset", size - 4),
                                     ("metadata_size", 2 ** 63)), "metadata"
    yield "metadata_offset_0", edit(("metadata_offset", 0), ("metadata_size", 4)), "metadata"
    if get(base, "metadata_size") == 0:
        yield "metadata_offset_without_size", edit(("metadata_offset", HEADER_SIZE
                                                    + ENTRY_SIZE * len(table))), "metadata"
    for name, text in (("nul", b"name=a\0b\n"), ("no_equals", b"name=x\njust words\n"),
                       ("empty_key", b"=value\n"), ("no_final_newline", b"name=x")):
        yield f"metadata_{name}", with_metadata(base, text), "metadata|nul|key|line"


def main(argv):
    if len(argv) == 2 and argv[0] == "seeds":
        write_seeds(argv[1])
        return 0
    if len(argv) != 3 or argv[0] not in ("variants", "valid"):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], "rb") as f:
        base = f.read()
    os.makedirs(argv[2], exist_ok=True)
    if argv[0] == "valid":
        cases = ((name, data, None) for name, data in valid_variants(base))
    else:
        cases = variants(base)
    for i, (name, data, regex) in enumerate(cases):
        # numbered, not named: a case's name in the path could match its own regex
        path = os.path.join(argv[2], f"{i:03d}.srnn")
        if data is not None:
            with open(path, "wb") as f:
                f.write(data)
        print(path if regex is None else f"{path}\t{name}\t{regex}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
