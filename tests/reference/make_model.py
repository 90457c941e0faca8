#!/usr/bin/python3
"""Writes a .srnn model with random (untrained) weights for a given configuration.

The configuration starts from PRiSM's defaults, or from a PRiSM *.config.json given with
--config, and each flag overrides it. Example:
    make_model.py --dim 256 --layers 2 --rnn gru --frame-sizes 16 64 --seed 1 \\
        --name "Placeholder" -o models/placeholder.srnn
"""
import argparse
import json
import sys

import torch

from srnn_format import Config, read_model, seq_len_for, write_model
from srnn_ref import random_weights


def config_from_prism(path):
    """The Config fields a PRiSM *.config.json sets."""
    with open(path) as f:
        prism = json.load(f)
    fields = {}
    if "frame_sizes" in prism:
        fields["frame_size"], fields["big_frame_size"] = prism["frame_sizes"]
    for key in ("seq_len", "dim", "num_rnn_layers", "rnn_type", "q_type", "q_levels",
                "emb_size", "skip_conn"):
        if prism.get(key) is not None:
            fields[key] = prism[key]
    if fields.get("q_type") == "mu-law":
        fields["q_levels"] = 256  # PRiSM's train.py ignores q_levels for mu-law
    return fields


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", required=True, help="the .srnn file to write")
    parser.add_argument("--config", help="a PRiSM *.config.json to start from")
    parser.add_argument("--dim", type=int)
    parser.add_argument("--layers", type=int, dest="num_rnn_layers")
    parser.add_argument("--rnn", choices=("gru", "lstm"), dest="rnn_type")
    parser.add_argument("--frame-sizes", type=int, nargs=2, metavar=("F", "BF"))
    parser.add_argument("--q-type", choices=("mu-law", "linear"))
    parser.add_argument("--q-levels", type=int)
    parser.add_argument("--skip", action="store_true", default=None, dest="skip_conn",
                        help="skip connections in the RNN stacks")
    parser.add_argument("--rate", type=int, dest="sample_rate", help="sample rate in Hz")
    parser.add_argument("--seq-len", type=int, help="training's BPTT length (default: the "
                        "smallest multiple of BF not below 1024)")
    parser.add_argument("--seed", type=int, default=0, help="torch seed of the weights")
    parser.add_argument("--name", help="metadata name (default: the output's file name)")
    parser.add_argument("--description", default="untrained random weights")
    args = parser.parse_args(argv[1:])

    fields = config_from_prism(args.config) if args.config else {}
    if args.frame_sizes:
        fields["frame_size"], fields["big_frame_size"] = args.frame_sizes
    for key in ("dim", "num_rnn_layers", "rnn_type", "q_type", "q_levels", "skip_conn",
                "sample_rate", "seq_len"):
        if getattr(args, key) is not None:
            fields[key] = getattr(args, key)
    if fields.get("q_type") == "mu-law" and args.q_levels is None:
        fields["q_levels"] = 256
    if "seq_len" not in fields:
        fields["seq_len"] = seq_len_for(fields.get("big_frame_size", Config.big_frame_size))
    try:
        cfg = Config(**fields)
        cfg.check()
        torch.manual_seed(args.seed)
        name = args.name or args.output.rsplit("/", 1)[-1].removesuffix(".srnn")
        metadata = [("name", name), ("description", args.description),
                    ("created_by", "tests/reference/make_model.py")]
        write_model(args.output, cfg, random_weights(cfg), metadata)
        read_model(args.output)
    except (TypeError, ValueError) as e:
        print(f"make_model: {e}", file=sys.stderr)
        return 1
    print(f"{args.output}: {cfg}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
