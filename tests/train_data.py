#!/usr/bin/python3
"""Writes synthetic training audio for the trainer's tests: mono 16-bit wav files of a periodic
waveform (fundamental plus two harmonics, random phase per file) with a little noise.

Usage: train_data.py DIR [--files N] [--seconds S] [--period P] [--noise X] [--rate R]
                         [--seed K] [--silent] [--half-silent] [--junk]
--silent adds a file of digital silence (every chunk of it is silent); --half-silent one whose
waveform stops after 45% of its length (chunk_audio.py drops a chunk as soon as half of it is
silent); --junk adds a file libsndfile does not read. Prints nothing; exits non-zero on bad
arguments.
"""
import argparse
import sys
import wave
from pathlib import Path

import numpy as np


def write_wav(path, samples, rate):
    pcm = (np.clip(samples, -1, 1) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--period", type=float, default=40.0, help="in samples")
    parser.add_argument("--noise", type=float, default=0.003)
    parser.add_argument("--rate", type=int, default=16000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--silent", action="store_true")
    parser.add_argument("--half-silent", action="store_true")
    parser.add_argument("--junk", action="store_true")
    args = parser.parse_args(argv[1:])
    args.dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    t = np.arange(int(args.seconds * args.rate))
    def tone():
        phase = 2 * np.pi * t / args.period + rng.uniform(0, 2 * np.pi)
        x = 0.5 * np.sin(phase) + 0.2 * np.sin(2 * phase + 1.0) + 0.1 * np.sin(3 * phase + 2.0)
        return x + rng.normal(0, args.noise, len(t))

    for i in range(args.files):
        write_wav(args.dir / f"tone{i:02d}.wav", tone(), args.rate)
    if args.half_silent:
        write_wav(args.dir / "half.wav", tone() * (t < 0.45 * len(t)), args.rate)
    if args.silent:
        write_wav(args.dir / "silence.wav", np.zeros(len(t)), args.rate)
    if args.junk:
        (args.dir / "notes.txt").write_text("not audio\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
