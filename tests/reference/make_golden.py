#!/usr/bin/python3
"""Writes the golden reference data the engine's numeric tests compare with.

Usage: make_golden.py OUTDIR

For each case: CASE.srnn (a random model), CASE.wav (mono 16-bit test audio whose length is not
a multiple of the big frame), CASE.q.i32 (int32 LE: the audio quantised and truncated to a
multiple of BF; these N samples are the targets), CASE.logits.f32 (float32 LE [N, Q]: row n
predicts target n from BF silent samples and targets[:n]), CASE.golden.txt (key=value summary),
and cases.txt listing the cases.

The logits come from the PyTorch model of srnn_ref.py. Before writing anything it checks itself:
the GRU and LSTM weight mappings against Keras' formulas, each model file read back, and every
case's logits against an independent step-by-step float64 model that runs the way generation
does. Any failure exits non-zero.
"""
import math
import sys
import time
import wave
from pathlib import Path

import numpy as np
import torch

from srnn_format import Config, element_mask, prune, read_model, seq_len_for, write_model
from srnn_ref import (SampleRNN, gru_from_keras, lstm_from_keras, nll_nats, quantise,
                      random_weights, silent_value)

WAV_SAMPLES = 3001  # not a multiple of any case's BF, so the truncation is exercised


def case(frame_sizes=(16, 64), **kw):
    f, bf = frame_sizes
    return Config(frame_size=f, big_frame_size=bf, seq_len=seq_len_for(bf), **kw)


CASES = {
    "gru": case(dim=32, num_rnn_layers=2),
    "lstm": case(dim=24, num_rnn_layers=2, rnn_type="lstm"),
    "gru_skip": case(dim=20, num_rnn_layers=3, skip_conn=True),
    "lstm_skip": case(dim=16, num_rnn_layers=2, rnn_type="lstm", skip_conn=True),
    "linear512": case(dim=32, num_rnn_layers=1, q_type="linear", q_levels=512),
    "frames_4_12": case((4, 12), dim=17, num_rnn_layers=2, sample_rate=8000),
    "frames_8_8": case((8, 8), dim=19, num_rnn_layers=1, rnn_type="lstm"),
    "lstm_linear": case((5, 20), dim=33, num_rnn_layers=2, rnn_type="lstm", q_type="linear",
                        q_levels=300, skip_conn=True, sample_rate=22050),
    "gru_sparse": case(dim=64, num_rnn_layers=2, skip_conn=True),
    "gru_unfold": case(dim=64, num_rnn_layers=2, skip_conn=True),
}
# Cases whose matrices the engine runs as stored (the RNN kernels past layer 0, the recurrent
# and skip kernels, hidden2, the output) are pruned to this block density and stored
# block-sparse (format version 4), as srnn convert --density does: the engine runs them
# block-sparse at int8.
SPARSE_CASES = {"gru_sparse": 0.3, "gru_unfold": 0.25}
# Cases whose factors of the products the engine folds at load time (the upsamplings, hidden1,
# the frame tier's layer-0 kernel) are pruned too, as srnn convert --density does where the
# engine then keeps them apart (engine/model.h, unfolded): pruned in the pieces the engine runs
# (4 inputs x 8 outputs of U_j^T, not of U_j), and with skip connections layer 0's two halves
# in the same pieces, so that their sum (what the engine runs) keeps the density. Stored dense.
# Every pruned tensor is then scaled by density^-1/4, half way (in log) to keeping the random
# activations' variance, so that the logits still vary (at 25% they would barely move otherwise)
# and stay small enough for float32 to match within 1e-4.
UNFOLD_CASES = {"gru_unfold"}


UNFOLDED_FACTORS = ("big_frame/upsample", "frame/upsample", "sample_mlp/hidden1/kernel",
                    "frame/rnn/layer_0/kernel")


def prune_factors(cfg, weights, density):
    """The factors prune_unfolded (engine/prune.c) prunes, in place."""
    for tier in ("big_frame", "frame"):
        up = weights[f"{tier}/upsample"]  # (R, D out, D in)
        weights[f"{tier}/upsample"] = np.stack([prune(u.T, density)[0].T for u in up])
    weights["sample_mlp/hidden1/kernel"] = prune(weights["sample_mlp/hidden1/kernel"], density)[0]
    k = weights["frame/rnn/layer_0/kernel"]
    if cfg.skip_conn:
        d = cfg.dim
        pieces = prune(k[:d] + k[d:], density)[1]
        keep = np.concatenate([element_mask(pieces, (d, k.shape[1]))] * 2)
        weights["frame/rnn/layer_0/kernel"] = np.where(keep, k, 0).astype(np.float32)
    else:
        weights["frame/rnn/layer_0/kernel"] = prune(k, density)[0]


def runs_as_stored(name):
    return (name in ("sample_mlp/hidden2/kernel", "sample_mlp/output/kernel")
            or name.endswith(("/recurrent_kernel", "/skip_out/kernel"))
            or ("/rnn/layer_" in name and name.endswith("/kernel") and "/layer_0/" not in name))


class CheckFailed(Exception):
    pass


def require(ok, message):
    if not ok:
        raise CheckFailed(message)


# ---- Keras' recurrent cells, written out from the formulas (float64 numpy) -----------------

def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def keras_rnn_step(rnn_type, x, state, kernel, recurrent_kernel, bias):
    """One step of a Keras GRU (reset_after=True) or LSTM; state is (h,) or (h, c)."""
    if rnn_type == "gru":
        (h,) = state
        xz, xr, xh = np.split(x @ kernel + bias[0], 3, axis=-1)
        hz, hr, hh = np.split(h @ recurrent_kernel + bias[1], 3, axis=-1)
        z, r = sigmoid(xz + hz), sigmoid(xr + hr)
        n = np.tanh(xh + r * hh)
        return (z * h + (1 - z) * n,)
    h, c = state
    i, f, g, o = np.split(x @ kernel + h @ recurrent_kernel + bias, 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return (sigmoid(o) * np.tanh(c), c)


def check_rnn_mappings():
    """nn.GRU / nn.LSTM built from Keras weights must compute Keras' cells exactly; inputs
    narrower and wider than D (skip connections make layer 0's input 2D) and a non-zero start
    state, so that every weight block and both GRU bias rows matter."""
    rng = np.random.default_rng(7)
    worst = 0.0
    for rnn_type, gates, make in (("gru", 3, gru_from_keras), ("lstm", 4, lstm_from_keras)):
        for width, d in ((5, 8), (24, 12), (16, 16)):
            kernel = rng.normal(0, width ** -0.5, (width, gates * d)).astype(np.float32)
            recurrent = rng.normal(0, d ** -0.5, (d, gates * d)).astype(np.float32)
            bias_shape = (2, 3 * d) if rnn_type == "gru" else (4 * d,)
            bias = rng.normal(0, 0.3, bias_shape).astype(np.float32)
            x = rng.normal(0, 1, (3, 20, width)).astype(np.float32)
            state = tuple(rng.normal(0, 0.5, (3, d)).astype(np.float32)
                          for _ in range(1 if rnn_type == "gru" else 2))

            start = tuple(torch.from_numpy(s)[None] for s in state)
            with torch.no_grad():
                got = make(kernel, recurrent, bias)(
                    torch.from_numpy(x), start[0] if rnn_type == "gru" else start)[0].numpy()
            want = np.empty(got.shape)
            state = tuple(s.astype(np.float64) for s in state)
            for t in range(x.shape[1]):
                state = keras_rnn_step(rnn_type, x[:, t].astype(np.float64), state,
                                       kernel.astype(np.float64), recurrent.astype(np.float64),
                                       bias.astype(np.float64))
                want[:, t] = state[0]
            error = float(np.max(np.abs(got - want)))
            require(error < 1e-6, f"{rnn_type} mapping (in {width}, D {d}): error {error:.3g}")
            worst = max(worst, error)
    return worst


# ---- An independent step-by-step model, run as generation runs (float64 numpy) -------------

class StepModel:
    """Predicts one sample at a time from the history, following prism-samplernn.md's
    alignment (PRiSM's inference_step): the big tier runs at each big-frame boundary on the
    previous BF samples, the frame tier at each frame boundary on the previous F samples plus
    the big tier's output for that frame, the MLP on the previous F samples plus the frame
    tier's output for that position."""

    def __init__(self, cfg, weights):
        self.cfg = cfg
        self.w = {name: value.astype(np.float64) for name, value in weights.items()}

    def tier(self, tier, samples, states, conditioning):
        cfg, w = self.cfg, self.w
        s = ((samples / (cfg.q_levels / 2)) - 1) * 2
        x = s @ w[f"{tier}/input/kernel"] + w[f"{tier}/input/bias"] + conditioning
        out = w[f"{tier}/rnn/layer_0/skip_out/bias"] if cfg.skip_conn else 0
        inputs = x
        for i in range(cfg.num_rnn_layers):
            layer = f"{tier}/rnn/layer_{i}"
            if cfg.skip_conn and i == 0:
                x = np.concatenate([inputs, inputs])
            states[i] = keras_rnn_step(cfg.rnn_type, x, states[i], w[f"{layer}/kernel"],
                                       w[f"{layer}/recurrent_kernel"], w[f"{layer}/bias"])
            x = states[i][0]
            if cfg.skip_conn:
                out = out + x @ w[f"{layer}/skip_out/kernel"]
        h = out if cfg.skip_conn else x
        return np.einsum("joi,i->jo", w[f"{tier}/upsample"], h)

    def mlp(self, samples, conditioning):
        w = self.w
        a = np.einsum("kq,kqd->d", w["sample_mlp/embedding"][samples],
                      w["sample_mlp/input/kernel"])
        h = np.maximum(0, (a + conditioning) @ w["sample_mlp/hidden1/kernel"]
                       + w["sample_mlp/hidden1/bias"])
        h = np.maximum(0, h @ w["sample_mlp/hidden2/kernel"] + w["sample_mlp/hidden2/bias"])
        return h @ w["sample_mlp/output/kernel"] + w["sample_mlp/output/bias"]

    def logits(self, targets):
        cfg = self.cfg
        f, bf, d = cfg.frame_size, cfg.big_frame_size, cfg.dim
        history = np.concatenate([np.full(bf, silent_value(cfg)), targets])
        zero = tuple(np.zeros(d) for _ in range(1 if cfg.rnn_type == "gru" else 2))
        big_states = [zero] * cfg.num_rnn_layers
        frame_states = [zero] * cfg.num_rnn_layers
        out = np.empty((len(targets), cfg.q_levels))
        for n in range(len(targets)):
            t = bf + n  # index in history of the sample being predicted
            if n % bf == 0:
                big = self.tier("big_frame", history[t - bf:t], big_states, 0)
            if n % f == 0:
                frame = self.tier("frame", history[t - f:t], frame_states,
                                  big[(n % bf) // f])
            out[n] = self.mlp(history[t - f:t], frame[n % f])
        return out


# ---- Test audio -------------------------------------------------------------------------

def test_signal(rate, rng):
    """Two detuned partials and a chirp plus noise under an envelope: exact digital silence
    first, an attack, then a decay with tremolo; peak 0.8."""
    t = np.arange(WAV_SAMPLES) / rate
    f0 = rng.uniform(150, 400)
    tone = (np.sin(2 * np.pi * f0 * t) + 0.5 * np.sin(2 * np.pi * 2.03 * f0 * t + 1.0)
            + 0.3 * np.sin(2 * np.pi * (500 + 9000 * t) * t))
    noise = rng.normal(0, 0.3, WAV_SAMPLES)
    position = np.arange(WAV_SAMPLES) / WAV_SAMPLES
    envelope = np.clip((position - 0.05) / 0.1, 0, 1) * np.exp(-2 * np.clip(position - 0.15, 0, 1))
    envelope *= 1 + 0.3 * np.sin(2 * np.pi * 6 * t)
    signal = envelope * (tone + noise)
    return 0.8 * signal / np.max(np.abs(signal))


def write_wav(path, audio, rate):
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.round(audio * 32767).astype("<i2").tobytes())


def read_wav(path, rate):
    """The samples as float32 int16/32768, as PRiSM's librosa.load gives them."""
    with wave.open(str(path), "rb") as wav:
        require((wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
                == (1, 2, rate), f"{path}: not mono 16-bit at {rate} Hz")
        data = wav.readframes(wav.getnframes())
    return np.frombuffer(data, "<i2").astype(np.float32) / np.float32(32768)


# ---- One case ---------------------------------------------------------------------------

def make_case(outdir, name, cfg, seed):
    torch.manual_seed(seed)
    weights = random_weights(cfg)
    metadata = [("name", name),
                ("description", f"random weights — reference case {name}, not trained"),
                ("created_by", "tests/reference/make_golden.py")]
    model_path = outdir / f"{name}.srnn"
    masks = {}
    for tensor in weights if name in SPARSE_CASES else ():
        if runs_as_stored(tensor):
            weights[tensor], masks[tensor] = prune(weights[tensor], SPARSE_CASES[name])
    if name in UNFOLD_CASES:
        prune_factors(cfg, weights, SPARSE_CASES[name])
        for tensor in weights:
            if runs_as_stored(tensor) or tensor in UNFOLDED_FACTORS:
                weights[tensor] = (weights[tensor] * SPARSE_CASES[name] ** -0.25).astype(np.float32)
    write_model(model_path, cfg, weights, metadata, masks)
    got_cfg, got_weights, got_metadata = read_model(model_path)
    require(got_cfg == cfg, f"{name}: config read back as {got_cfg}")
    require(list(got_weights) == list(weights)
            and all(np.array_equal(got_weights[k], weights[k]) for k in weights),
            f"{name}: tensors differ when read back")
    require(got_metadata == metadata, f"{name}: metadata read back as {got_metadata}")

    wav_path = outdir / f"{name}.wav"
    write_wav(wav_path, test_signal(cfg.sample_rate, np.random.default_rng(seed)),
              cfg.sample_rate)
    audio = read_wav(wav_path, cfg.sample_rate)
    require(len(audio) % cfg.big_frame_size != 0, f"{name}: wav length a multiple of BF")
    n = len(audio) // cfg.big_frame_size * cfg.big_frame_size
    targets = quantise(audio, cfg)[:n]
    require(targets.min() >= 0 and targets.max() < cfg.q_levels, f"{name}: quantised out of range")
    require(np.any(targets == silent_value(cfg)) and len(np.unique(targets)) > cfg.q_levels // 4,
            f"{name}: the test audio does not exercise the quantiser")

    logits = SampleRNN(cfg, weights).predict(targets)
    require(logits.shape == (n, cfg.q_levels) and np.all(np.isfinite(logits)),
            f"{name}: logits of shape {logits.shape} or not finite")
    # A test against these logits catches an error in a tier only if the logits vary and each
    # frame tier visibly moves them.
    spread = float(np.mean(np.std(logits, axis=1)))
    require(spread > 0.5, f"{name}: logits barely vary (std over classes {spread:.3g})")
    influence = []
    for tier in ("big_frame", "frame"):
        muted = dict(weights, **{f"{tier}/upsample": np.zeros_like(weights[f"{tier}/upsample"])})
        change = float(np.mean(np.abs(SampleRNN(cfg, muted).predict(targets) - logits)))
        require(change > 0.1 * spread, f"{name}: the {tier} tier hardly matters ({change:.3g})")
        influence.append(change / spread)

    step = StepModel(cfg, weights).logits(targets)
    error = float(np.max(np.abs(logits - step)))
    require(error < 1e-4 * max(1.0, float(np.max(np.abs(step)))),
            f"{name}: teacher-forced and step-by-step logits differ by {error:.3g}")

    nats = nll_nats(logits, targets)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == targets))
    targets.astype("<i4").tofile(outdir / f"{name}.q.i32")
    logits.astype("<f4").tofile(outdir / f"{name}.logits.f32")
    summary = {"n": n, "q_levels": cfg.q_levels, "big_frame_size": cfg.big_frame_size,
               "wav_samples": len(audio), "nll_nats": nats, "nll_bits": nats / math.log(2),
               "accuracy": accuracy}
    (outdir / f"{name}.golden.txt").write_text(
        "".join(f"{k}={v!r}\n" for k, v in summary.items()))
    return (f"{name:12s} {cfg.rnn_type} F{cfg.frame_size}/BF{cfg.big_frame_size} "
            f"D{cfg.dim} L{cfg.num_rnn_layers}{' skip' if cfg.skip_conn else ''} "
            f"{cfg.q_type} Q{cfg.q_levels} @{cfg.sample_rate}: N={n} "
            f"nll={nats / math.log(2):.4f} bits acc={accuracy:.4f} "
            f"logit std {spread:.2f}, tier influence {influence[0]:.2f} {influence[1]:.2f}, "
            f"step-model error {error:.1e}")


def main(argv):
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    torch.set_num_threads(2)
    start = time.monotonic()
    outdir = Path(argv[1])
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "cases.txt").unlink(missing_ok=True)  # written last, only when all is well
    try:
        print(f"rnn mappings: GRU and LSTM match Keras' cells, max error "
              f"{check_rnn_mappings():.1e}")
        for seed, (name, cfg) in enumerate(CASES.items(), start=1):
            print(make_case(outdir, name, cfg, seed), flush=True)
    except (CheckFailed, ValueError) as e:
        print(f"make_golden: FAILED: {e}", file=sys.stderr)
        return 1
    (outdir / "cases.txt").write_text("".join(f"{name}\n" for name in CASES))
    print(f"{len(CASES)} cases written to {outdir} in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
