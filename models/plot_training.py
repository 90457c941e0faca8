#!/usr/bin/python3
"""Plots a training run's curve from the logs `srnn train` writes: the training loss of every
logged interval (steps.csv) and the validation loss of every epoch (epochs.csv), in bits per
sample, against training steps.

Usage: plot_training.py RUNDIR OUT.png [--title TEXT]   (needs python3-matplotlib)
"""
import argparse
import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)

SMOOTHING = 40  # logged intervals in the running mean drawn over the raw curve


def rows(path):
    try:
        with open(path, newline="") as f:
            return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]
    except FileNotFoundError:
        return []


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run")
    parser.add_argument("out")
    parser.add_argument("--title", default="srnn train")
    args = parser.parse_args(argv[1:])
    steps, epochs = rows(f"{args.run}/steps.csv"), rows(f"{args.run}/epochs.csv")
    if not steps:
        print(f"plot_training: no {args.run}/steps.csv", file=sys.stderr)
        return 1
    bits = 1 / math.log(2)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    x, y = [r["step"] for r in steps], [r["loss"] * bits for r in steps]
    ax.plot(x, y, lw=0.6, alpha=0.45, label="training loss (mean of each logged interval)")
    window = max(1, min(SMOOTHING, len(y)))
    mean = [sum(y[i - window + 1:i + 1]) / window for i in range(window - 1, len(y))]
    ax.plot(x[window - 1:], mean, lw=1.6, color="C0",
            label=f"training loss, mean of the last {window} intervals")
    if epochs:
        ax.plot([r["step"] for r in epochs], [r["val_loss"] * bits for r in epochs], "o-",
                label="validation loss (each epoch)")
    ax.set_xlabel("training step (batch x seq_len samples each)")
    ax.set_ylabel("NLL, bits per sample")
    ax.set_title(args.title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
