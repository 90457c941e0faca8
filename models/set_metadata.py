#!/usr/bin/python3
"""Rewrites a model file's metadata: the weights are copied unchanged, the given keys are set
(key=value), the others kept. Used to ship a checkpoint as models/default.srnn with its name,
description and measured NLLs.

Usage: set_metadata.py IN.srnn OUT.srnn key=value...
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "reference"))
from srnn_format import read_model, write_model  # noqa: E402


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cfg, tensors, metadata = read_model(argv[1])
    values = dict(metadata)
    for item in argv[3:]:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"set_metadata: '{item}' is not key=value", file=sys.stderr)
            return 2
        values[key] = value
    write_model(argv[2], cfg, tensors, list(values.items()))
    read_model(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
