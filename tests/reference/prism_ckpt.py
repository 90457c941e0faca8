#!/usr/bin/python3
"""PRiSM SampleRNN checkpoints (TensorFlow tensor bundles) written and read without TensorFlow.

Written from TensorFlow's formats (the LevelDB table of tensorflow/core/lib/io, the bundle of
tensorflow/core/util/tensor_bundle, trackable_object_graph.proto) and PRiSM's Keras model
(samplernn/model.py, frame_rnn.py, nn.py, sample_mlp.py), independently of the C code in ckpt/,
so that each checks the other. CRC-32C comes from crcmod, Snappy from python-snappy.

Usage:
  prism_ckpt.py write MODEL.srnn PREFIX CONFIG.json [--shards N] [--layout keras|checkpoint]
                [--snappy] [--block-size B] [--restart-interval R] [--no-optimizer]
                [--q-levels-in-config Q]
      PRiSM's checkpoint of a .srnn model, as Keras' save_weights (layout keras) or an older
      PRiSM's tf.train.Checkpoint(epoch, optimizer, model) (layout checkpoint) would save it,
      with Adam's state, plus PRiSM's config.json (with the model's sample_rate).
  prism_ckpt.py restore PREFIX MODEL.srnn
      Restores PREFIX as TensorFlow's object-based restore does for PRiSM's model (walking the
      object graph from the root by child names to each variable's checkpoint key, checking
      dtype, shape and CRC) and compares every weight with MODEL's, bit for bit.
  prism_ckpt.py stats [--index-only] PREFIX
      One line per tensor: name, dtype, shape, and with the data, for numbers, min, max and
      mean, as `srnn ckpt-ls --stats` prints them.
"""
import argparse
import json
import struct
import sys
from pathlib import Path

import crcmod.predefined
import numpy as np
import snappy

from srnn_format import read_model

# ---- CRC-32C and its masking ---------------------------------------------------------------

crc32c = crcmod.predefined.mkCrcFun("crc-32c")


def mask(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def unmask(masked):
    rotated = (masked - 0xA282EAD8) & 0xFFFFFFFF
    return ((rotated >> 17) | (rotated << 15)) & 0xFFFFFFFF


# ---- Protocol-buffer wire format -----------------------------------------------------------

def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, data):
    return varint(number << 3 | 2) + varint(len(data)) + data


def field_fixed32(number, value):
    return varint(number << 3 | 5) + struct.pack("<I", value)


def read_varint(data, pos):
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("bad varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def fields(data):
    """[(number, value)] of a message: ints for varint/fixed fields, bytes for the others."""
    out, pos = [], 0
    while pos < len(data):
        tag, pos = read_varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = struct.unpack_from("<Q", data, pos)[0], pos + 8
        elif wire == 2:
            size, pos = read_varint(data, pos)
            value, pos = bytes(data[pos:pos + size]), pos + size
        elif wire == 5:
            value, pos = struct.unpack_from("<I", data, pos)[0], pos + 4
        else:
            raise ValueError(f"wire type {wire}")
        if pos > len(data):
            raise ValueError("field past the end")
        out.append((number, value))
    return out


# ---- LevelDB table ------------------------------------------------------------------------

MAGIC = 0xDB4775248B80FB57


def encode_block(entries, restart_interval):
    out, restarts, last = bytearray(), [], b""
    for i, (key, value) in enumerate(entries):
        shared = 0
        if i % restart_interval == 0:
            restarts.append(len(out))
        else:
            while shared < min(len(key), len(last)) and key[shared] == last[shared]:
                shared += 1
        out += varint(shared) + varint(len(key) - shared) + varint(len(value))
        out += key[shared:] + value
        last = key
    restarts = restarts or [0]
    out += struct.pack(f"<{len(restarts)}I", *restarts) + struct.pack("<I", len(restarts))
    return bytes(out)


def put_block(out, contents, compress):
    """Appends a block and its trailer; returns its handle (offset, size)."""
    kind = 0
    if compress:
        contents, kind = snappy.compress(contents), 1
    handle = (len(out), len(contents))
    out += contents + bytes([kind]) + struct.pack("<I", mask(crc32c(contents + bytes([kind]))))
    return handle


def encode_table(entries, block_size=4096, restart_interval=16, compress=False):
    """entries: [(key bytes, value bytes)] in strictly increasing key order."""
    keys = [k for k, _ in entries]
    assert keys == sorted(set(keys)), "keys not strictly increasing"
    out, index, block = bytearray(), [], []
    for n, entry in enumerate(entries):
        block.append(entry)
        if (sum(len(k) + len(v) + 3 for k, v in block) >= block_size
                or n == len(entries) - 1):
            offset, size = put_block(out, encode_block(block, restart_interval), compress)
            index.append((block[-1][0], varint(offset) + varint(size)))
            block = []
    meta = put_block(out, encode_block([], 1), compress)
    index_handle = put_block(out, encode_block(index, 1), compress)
    footer = varint(meta[0]) + varint(meta[1]) + varint(index_handle[0]) + varint(index_handle[1])
    out += footer.ljust(40, b"\0") + struct.pack("<Q", MAGIC)
    return bytes(out)


def decode_block(data):
    count = struct.unpack_from("<I", data, len(data) - 4)[0]
    end = len(data) - 4 - 4 * count
    entries, pos, key = [], 0, b""
    while pos < end:
        shared, pos = read_varint(data, pos)
        unshared, pos = read_varint(data, pos)
        size, pos = read_varint(data, pos)
        key = key[:shared] + data[pos:pos + unshared]
        pos += unshared
        entries.append((key, data[pos:pos + size]))
        pos += size
    return entries


def read_block(data, offset, size):
    contents, kind = data[offset:offset + size], data[offset + size]
    (stored,) = struct.unpack_from("<I", data, offset + size + 1)
    if unmask(stored) != crc32c(contents + bytes([kind])):
        raise ValueError(f"block at {offset}: CRC mismatch")
    if kind == 1:
        return snappy.uncompress(contents)
    if kind != 0:
        raise ValueError(f"block at {offset}: compression {kind}")
    return contents


def decode_table(data):
    if struct.unpack_from("<Q", data, len(data) - 8)[0] != MAGIC:
        raise ValueError("no table magic")
    footer = data[len(data) - 48:len(data) - 8]
    handles, pos = [], 0
    for _ in range(4):
        value, pos = read_varint(footer, pos)
        handles.append(value)
    entries = []
    for _, handle in decode_block(read_block(data, handles[2], handles[3])):
        offset, pos = read_varint(handle, 0)
        size, _ = read_varint(handle, pos)
        entries += decode_block(read_block(data, offset, size))
    return entries


# ---- Tensor bundle ------------------------------------------------------------------------

DT_FLOAT, DT_INT32, DT_STRING, DT_INT64 = 1, 3, 7, 9
NUMPY_TYPES = {DT_FLOAT: "<f4", 2: "<f8", DT_INT32: "<i4", 4: "u1", 5: "<i2", 6: "i1",
               8: "<c8", DT_INT64: "<i8", 10: "?", 17: "<u2", 18: "<c16", 19: "<f2",
               22: "<u4", 23: "<u8"}
STATS_TYPES = {DT_FLOAT, 2, DT_INT32, 4, 5, 6, DT_INT64, 10, 17, 22, 23}  # real, not half
TYPE_NAMES = {DT_FLOAT: "float32", 2: "float64", DT_INT32: "int32", 4: "uint8", 5: "int16",
              6: "int8", DT_STRING: "string", 8: "complex64", DT_INT64: "int64", 10: "bool",
              14: "bfloat16", 17: "uint16", 18: "complex128", 19: "float16", 22: "uint32",
              23: "uint64"}


def encode_string_scalar(text):
    """A scalar string tensor's bytes and TensorFlow's checksum of them."""
    lengths = varint(len(text))
    crc = crc32c(struct.pack("<I", len(text)))
    length_crc = struct.pack("<I", mask(crc))
    return lengths + length_crc + text, crc32c(text, crc32c(length_crc, crc))


def write_bundle(prefix, tensors, shards=1, **table_options):
    """tensors: {name: numpy array or bytes (a scalar string)}; tensor i of the sorted names
    goes to shard i % shards."""
    names = sorted(tensors)
    data = [bytearray() for _ in range(shards)]
    entries = [(b"", field_varint(1, shards) + field_bytes(3, field_varint(1, 1)))]
    for i, name in enumerate(names):
        value, shard = tensors[name], i % shards
        if isinstance(value, bytes):
            raw, crc = encode_string_scalar(value)
            dtype, shape = DT_STRING, ()
        else:
            dtype = {np.dtype(t): code for code, t in NUMPY_TYPES.items()}[
                value.dtype.newbyteorder("<")]
            raw = np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<")).tobytes()
            crc, shape = crc32c(raw), value.shape
        shape_proto = b"".join(field_bytes(2, field_varint(1, d) if d else b"") for d in shape)
        entry = field_varint(1, dtype) + field_bytes(2, shape_proto)
        if shard:
            entry += field_varint(3, shard)
        if data[shard]:
            entry += field_varint(4, len(data[shard]))
        entry += field_varint(5, len(raw)) + field_fixed32(6, mask(crc))
        entries.append((name.encode(), entry))
        data[shard] += raw
    for shard, contents in enumerate(data):
        Path(f"{prefix}.data-{shard:05d}-of-{shards:05d}").write_bytes(contents)
    Path(f"{prefix}.index").write_bytes(encode_table(entries, **table_options))


def read_bundle(prefix, with_data=True):
    """{name: (dtype, shape, value)}: value a numpy array, the bytes of a scalar string, or
    None without data; every checksum verified."""
    entries = decode_table(Path(f"{prefix}.index").read_bytes())
    if entries[0][0] != b"":
        raise ValueError("no bundle header")
    header = dict(fields(entries[0][1]))
    shards, out, files = header.get(1, 0), {}, {}
    for key, value in entries[1:]:
        entry = dict(fields(value))
        shape = tuple(dict(fields(d)).get(1, 0) for n, d in fields(entry.get(2, b"")) if n == 2)
        dtype, shard = entry.get(1, 0), entry.get(3, 0)
        offset, size, crc = entry.get(4, 0), entry.get(5, 0), unmask(entry.get(6, 0))
        tensor = None
        if with_data:
            if shard not in files:
                files[shard] = Path(f"{prefix}.data-{shard:05d}-of-{shards:05d}").read_bytes()
            raw = files[shard][offset:offset + size]
            if dtype == DT_STRING:
                count = int(np.prod(shape))
                pos, lengths, check = 0, [], 0
                for _ in range(count):
                    length, pos = read_varint(raw, pos)
                    lengths.append(length)
                    check = crc32c(struct.pack("<I", length), check)
                if unmask(struct.unpack_from("<I", raw, pos)[0]) != check:
                    raise ValueError(f"{key}: string lengths CRC mismatch")
                check = crc32c(raw[pos:], check)
                strings, pos = [], pos + 4
                for length in lengths:
                    strings.append(raw[pos:pos + length])
                    pos += length
                tensor = strings[0] if shape == () else strings
            else:
                check = crc32c(raw)
                tensor = np.frombuffer(raw, NUMPY_TYPES[dtype]).reshape(shape)
            if check != crc:
                raise ValueError(f"{key.decode()}: CRC mismatch")
        out[key.decode()] = (dtype, shape, tensor)
    return out


# ---- PRiSM's model as Keras tracks it --------------------------------------------------------

def prism_variables(cfg):
    """[(object path, our tensor name)] for every weight of PRiSM's SampleRNN: the path is the
    chain of attribute names Keras' object graph follows from the model to the variable."""
    out = []
    for tier, ours in (("big_frame_rnn", "big_frame"), ("frame_rnn", "frame")):
        out += [((tier, "inputs", "kernel"), f"{ours}/input/kernel"),
                ((tier, "inputs", "bias"), f"{ours}/input/bias")]
        for i in range(cfg.num_rnn_layers):
            for weight in ("kernel", "recurrent_kernel", "bias"):
                out.append(((tier, "rnn", f"layer_{i}", "cell", weight),
                            f"{ours}/rnn/layer_{i}/{weight}"))
            if cfg.skip_conn:
                for weight in ("kernel", "bias") if i == 0 else ("kernel",):
                    out.append(((tier, "rnn", f"layer_{i}_skip_out", weight),
                                f"{ours}/rnn/layer_{i}/skip_out/{weight}"))
        out.append(((tier, "upsample"), f"{ours}/upsample"))
    out += [(("sample_mlp", "embedding", "embeddings"), "sample_mlp/embedding"),
            (("sample_mlp", "inputs", "kernel"), "sample_mlp/input/kernel")]
    for layer, ours in (("hidden1", "hidden1"), ("hidden2", "hidden2"), ("outputs", "output")):
        out += [(("sample_mlp", layer, "kernel"), f"sample_mlp/{ours}/kernel"),
                (("sample_mlp", layer, "bias"), f"sample_mlp/{ours}/bias")]
    return out


def checkpoint_key(path):
    return "/".join(path) + "/.ATTRIBUTES/VARIABLE_VALUE"


class ObjectGraph:
    """A TrackableObjectGraph under construction: node 0 is the root."""

    def __init__(self):
        self.children = [[]]    # per node: [(name, node)]
        self.attributes = [[]]  # per node: [(full_name, checkpoint_key)]
        self.slots = [[]]       # per node: [(original node, slot name, slot node)]

    def node(self, path):
        """The node at path from the root, created as needed."""
        node = 0
        for name in path:
            found = [child for label, child in self.children[node] if label == name]
            if found:
                node = found[0]
                continue
            self.children.append([])
            self.attributes.append([])
            self.slots.append([])
            self.children[node].append((name, len(self.children) - 1))
            node = len(self.children) - 1
        return node

    def variable(self, path, key, full_name):
        node = self.node(path)
        self.attributes[node].append((full_name, key))
        return node

    def encode(self):
        nodes = b""
        for children, attributes, slots in zip(self.children, self.attributes, self.slots):
            node = b"".join(field_bytes(1, field_varint(1, n) + field_bytes(2, name.encode()))
                            for name, n in children)
            node += b"".join(field_bytes(2, field_bytes(1, b"VARIABLE_VALUE")
                                         + field_bytes(2, full.encode())
                                         + field_bytes(3, key.encode()))
                             for full, key in attributes)
            node += b"".join(field_bytes(3, field_varint(1, o) + field_bytes(2, s.encode())
                                         + field_varint(3, n))
                             for o, s, n in slots)
            nodes += field_bytes(1, node)
        return nodes


def decode_object_graph(data):
    """[(children {name: node}, attributes {name: checkpoint key})] per node."""
    nodes = []
    for number, node in fields(data):
        if number != 1:
            continue
        children, attributes = {}, {}
        for n, value in fields(node):
            if n == 1:
                ref = dict(fields(value))
                children[ref.get(2, b"").decode()] = ref.get(1, 0)
            elif n == 2:
                tensor = dict(fields(value))
                attributes[tensor.get(1, b"").decode()] = tensor.get(3, b"").decode()
        nodes.append((children, attributes))
    return nodes


def prism_tensors(cfg, weights, layout, optimizer, rng):
    """The bundle's tensors for a model: the weights under PRiSM's keys, Adam's state when
    optimizer, and the object graph that TensorFlow's restore walks."""
    root = ("model",) if layout == "checkpoint" else ()
    graph, tensors = ObjectGraph(), {}
    variables = []
    for path, ours in prism_variables(cfg):
        path = root + path
        key = checkpoint_key(path)
        tensors[key] = np.asarray(weights[ours], dtype=np.float32)
        variables.append((graph.variable(path, key, "sample_rnn/" + "/".join(path[len(root):])),
                          path, key))
    if optimizer:
        scalars = {"iter": np.int64(rng.integers(1, 10000)), "beta_1": np.float32(0.9),
                   "beta_2": np.float32(0.999), "decay": np.float32(0.0),
                   "learning_rate": np.float32(0.001)}
        for name, value in scalars.items():
            key = checkpoint_key(("optimizer", name))
            tensors[key] = np.asarray(value)
            graph.variable(("optimizer", name), key, f"Adam/{name}")
        optimizer_node = graph.node(("optimizer",))
        for slot in ("m", "v"):
            for node, path, key in variables:
                slot_key = ("/".join(path)
                            + f"/.OPTIMIZER_SLOT/optimizer/{slot}/.ATTRIBUTES/VARIABLE_VALUE")
                shape = tensors[key].shape
                tensors[slot_key] = rng.normal(0, 0.01, shape).astype(np.float32)
                graph.children.append([])
                graph.attributes.append([(f"Adam/{'/'.join(path)}/{slot}", slot_key)])
                graph.slots.append([])
                graph.slots[optimizer_node].append((node, slot, len(graph.children) - 1))
    if layout == "checkpoint":
        for name, value in (("epoch", np.int32(rng.integers(1, 100))),
                            ("save_counter", np.int64(rng.integers(1, 100)))):
            key = checkpoint_key((name,))
            tensors[key] = np.asarray(value)
            graph.variable((name,), key, name)
    tensors["_CHECKPOINTABLE_OBJECT_GRAPH"] = graph.encode()
    return tensors


def prism_config(cfg, q_levels=None):
    """PRiSM's config.json keys for a model, plus its sample_rate."""
    return {"seq_len": cfg.seq_len, "frame_sizes": [cfg.frame_size, cfg.big_frame_size],
            "dim": cfg.dim, "rnn_type": cfg.rnn_type, "num_rnn_layers": cfg.num_rnn_layers,
            "q_type": cfg.q_type, "q_levels": q_levels or cfg.q_levels,
            "emb_size": cfg.emb_size, "skip_conn": cfg.skip_conn,
            "sample_rate": cfg.sample_rate}


def restore(prefix, model_path):
    """Checks PREFIX restores MODEL the way TensorFlow restores PRiSM's model; a list of
    problems (empty when all is well)."""
    cfg, weights, _ = read_model(model_path)
    bundle = read_bundle(prefix)
    if "_CHECKPOINTABLE_OBJECT_GRAPH" not in bundle:
        return ["no _CHECKPOINTABLE_OBJECT_GRAPH: TensorFlow's object-based restore needs it"]
    nodes = decode_object_graph(bundle["_CHECKPOINTABLE_OBJECT_GRAPH"][2])
    problems = []
    for _, attributes in nodes:
        for key in attributes.values():
            if key not in bundle:
                problems.append(f"object graph names {key}, not in the bundle")
    for path, ours in prism_variables(cfg):
        node = 0
        for name in path:
            node = nodes[node][0].get(name)
            if node is None or node >= len(nodes):
                break
        if node is None or node >= len(nodes) or "VARIABLE_VALUE" not in nodes[node][1]:
            problems.append(f"{'/'.join(path)}: not found in the object graph")
            continue
        dtype, shape, value = bundle[nodes[node][1]["VARIABLE_VALUE"]]
        want = weights[ours]
        if dtype != DT_FLOAT or shape != want.shape:
            problems.append(f"{'/'.join(path)}: {TYPE_NAMES.get(dtype)} {shape}, Keras' "
                            f"variable is float32 {want.shape}")
        elif value.astype("<f4").tobytes() != want.astype("<f4").tobytes():
            problems.append(f"{'/'.join(path)}: values differ from {ours}")
    return problems


def stats_lines(prefix, with_data=True):
    lines = []
    for name, (dtype, shape, value) in sorted(read_bundle(prefix, with_data).items()):
        line = f"{name} {TYPE_NAMES.get(dtype, f'dtype_{dtype}')} [{','.join(map(str, shape))}]"
        if with_data and dtype in STATS_TYPES and value.size:
            v = value.astype(np.float64)
            line += f" min {v.min():.9g} max {v.max():.9g} mean {v.mean():.9g}"
        lines.append(line)
    return lines


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("write")
    write.add_argument("model")
    write.add_argument("prefix")
    write.add_argument("config")
    write.add_argument("--shards", type=int, default=1)
    write.add_argument("--layout", choices=("keras", "checkpoint"), default="keras")
    write.add_argument("--snappy", action="store_true")
    write.add_argument("--block-size", type=int, default=4096)
    write.add_argument("--restart-interval", type=int, default=16)
    write.add_argument("--no-optimizer", action="store_true")
    write.add_argument("--q-levels-in-config", type=int)
    write.add_argument("--seed", type=int, default=0)
    check = commands.add_parser("restore")
    check.add_argument("prefix")
    check.add_argument("model")
    stats = commands.add_parser("stats")
    stats.add_argument("--index-only", action="store_true")
    stats.add_argument("prefix")
    args = parser.parse_args(argv[1:])

    if args.command == "write":
        cfg, weights, _ = read_model(args.model)
        tensors = prism_tensors(cfg, weights, args.layout, not args.no_optimizer,
                                np.random.default_rng(args.seed))
        write_bundle(args.prefix, tensors, args.shards, block_size=args.block_size,
                     restart_interval=args.restart_interval, compress=args.snappy)
        Path(args.config).write_text(json.dumps(prism_config(cfg, args.q_levels_in_config),
                                                indent=4) + "\n")
        print(f"{args.prefix}: {len(tensors)} tensors in {args.shards} shards")
    elif args.command == "restore":
        problems = restore(args.prefix, args.model)
        for problem in problems:
            print(f"restore: {problem}", file=sys.stderr)
        if problems:
            return 1
        print(f"{args.prefix}: restores {args.model} exactly")
    else:
        print("\n".join(stats_lines(args.prefix, not args.index_only)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
