#!/usr/bin/python3
"""The training reference: PRiSM SampleRNN's training step in PyTorch autograd.

The tiers run on torch.nn.GRU / torch.nn.LSTM with the Keras weights mapped onto them as in
srnn_ref.py, and autograd computes every gradient; the gradients of the RNN weights are mapped
back to FORMAT.md's layout. Everything runs in float64: it is the truth the float32 C trainer
is held to.

Training follows PRiSM (model.py train_step, dataset.py get_subseq, train.py): each batch
row is BF silent samples then S·T samples, cut into S subsequences of BF + T samples that
overlap by BF; the RNN states carry over between the subsequences of a batch and are reset at
the next; the loss is the mean cross-entropy; gradients are clipped to global norm 5; the
optimisers are Keras' (TF 2 optimizer_v2) Adam (epsilon 1e-4), SGD and RMSprop (epsilon 1e-5).

A pruned case (srnn train --prune_density) first prunes the initial weights, per matrix kind,
in the pieces of 4 inputs x 8 outputs of the matrices the engine runs (srnn_format.prune on
each upsampling matrix U_j^T, on the sum of the halves of the frame tier's layer-0 kernel with
skip connections, on the others as stored); the gradients of the pruned weights are zero.

Usage:
  train_ref.py grad OUTDIR   writes the cases the C trainer is checked against
                             (tests/test_train_grad.sh): per case CASE.srnn (initial weights),
                             CASE.batches.i32, CASE.txt (batch, subsequences, optimiser),
                             CASE.grad1.srnn and CASE.grad2.srnn (gradients of the first two
                             subsequences at the initial weights), CASE.losses.txt (the loss
                             of every training step); and cases.txt. A pruned case's CASE.txt
                             names its densities (prune_density_KIND=D); CASE.srnn holds the
                             weights before pruning, the gradients are of the pruned model
  train_ref.py bench --dim D --layers L --batch B --threads N --steps K
                             prints training samples/s of this reference (bench/)
"""
import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as fn

from srnn_format import Config, prune, read_model, write_model
from srnn_ref import SampleRNN, quantise, random_weights

CLIP_NORM = 5.0


def _swap_gru_gates(m, d):
    """Keras GRU gate blocks z, r, h (last axis) in PyTorch's order r, z, n, and back."""
    return torch.cat([m[..., d:2 * d], m[..., :d], m[..., 2 * d:]], dim=-1)


def prune_kind(name):
    """engine/prune.h's kind of a tensor: "rnn", "upsampling", "mlp", or None (not pruned)."""
    leaf = name.rsplit("/", 1)[-1]
    if leaf == "upsample":
        return "upsampling"
    if name in ("sample_mlp/hidden1/kernel", "sample_mlp/hidden2/kernel",
                "sample_mlp/output/kernel"):
        return "mlp"
    if ("/rnn/layer_" in name and leaf in ("kernel", "recurrent_kernel")
            or "/skip_out/kernel" in name):
        return None if name == "big_frame/rnn/layer_0/kernel" else "rnn"
    return None


def prune_masks(cfg, weights, densities):
    """{name: element mask (float64 0/1)} of each pruned tensor at its kind's density."""
    masks = {}
    for name, w in weights.items():
        kind = prune_kind(name)
        if kind is None or densities.get(kind, 1.0) >= 1.0:
            continue
        density, w = densities[kind], np.asarray(w, np.float64)
        if kind == "upsampling":  # U_j^T, inputs x outputs
            masks[name] = np.stack([prune(u.T, density)[0].T != 0 for u in w])
        elif name == "frame/rnn/layer_0/kernel" and cfg.skip_conn:
            half = w.shape[0] // 2  # summed in float32, as the engine sums them
            kept = prune(np.float32(w[:half]) + np.float32(w[half:]), density)[0] != 0
            masks[name] = np.concatenate([kept, kept])
        else:
            masks[name] = prune(w, density)[0] != 0
    return {name: m.astype(np.float64) for name, m in masks.items()}


class TrainModel:
    """SampleRNN.call(training=True) with states carried between calls.

    The RNN layers are nn.GRU / nn.LSTM modules whose own parameters are trained (in PyTorch's
    layout, which an elementwise optimiser does not mind); every other weight is a Keras-layout
    leaf. keras() maps either back to FORMAT.md's names and layout."""

    def __init__(self, cfg, weights, dtype=torch.float64):
        self.cfg, self.dtype, self.state = cfg, dtype, None
        d = cfg.dim
        self.params, self.modules = {}, {}
        for name, value in weights.items():
            if "/rnn/layer_" not in name or "/skip_out/" in name:
                self.params[name] = torch.tensor(np.asarray(value), dtype=dtype,
                                                 requires_grad=True)
        for tier in ("big_frame", "frame"):
            for i in range(cfg.num_rnn_layers):
                layer = f"{tier}/rnn/layer_{i}"
                kernel, recurrent, bias = (torch.tensor(np.asarray(weights[f"{layer}/{k}"]),
                                                        dtype=dtype)
                                           for k in ("kernel", "recurrent_kernel", "bias"))
                module = (torch.nn.GRU if cfg.rnn_type == "gru" else torch.nn.LSTM)(
                    kernel.shape[0], d, batch_first=True).to(dtype)
                with torch.no_grad():
                    if cfg.rnn_type == "gru":
                        module.weight_ih_l0.copy_(_swap_gru_gates(kernel, d).T)
                        module.weight_hh_l0.copy_(_swap_gru_gates(recurrent, d).T)
                        module.bias_ih_l0.copy_(_swap_gru_gates(bias[0], d))
                        module.bias_hh_l0.copy_(_swap_gru_gates(bias[1], d))
                    else:  # Keras' single bias is bias_ih; bias_hh stays zero, untrained
                        module.weight_ih_l0.copy_(kernel.T)
                        module.weight_hh_l0.copy_(recurrent.T)
                        module.bias_ih_l0.copy_(bias)
                        module.bias_hh_l0.zero_()
                        module.bias_hh_l0.requires_grad_(False)
                self.modules[tier, i] = module

    def leaves(self):
        """Every trained tensor, by a stable key."""
        out = dict(self.params)
        for (tier, i), module in self.modules.items():
            for name, value in module.named_parameters():
                if value.requires_grad:
                    out[f"{tier}/{i}/{name}"] = value
        return out

    def keras(self, grads=False):
        """{FORMAT.md name: float64 tensor} of the weights (or of their gradients)."""
        pick = (lambda t: t.grad) if grads else (lambda t: t)
        d = self.cfg.dim
        out = {name: pick(value).detach().clone() for name, value in self.params.items()}
        for (tier, i), m in self.modules.items():
            layer = f"{tier}/rnn/layer_{i}"
            w_ih, w_hh, b_ih = pick(m.weight_ih_l0).T, pick(m.weight_hh_l0).T, pick(m.bias_ih_l0)
            if self.cfg.rnn_type == "gru":
                b_hh = pick(m.bias_hh_l0)
                out[f"{layer}/kernel"] = _swap_gru_gates(w_ih, d)
                out[f"{layer}/recurrent_kernel"] = _swap_gru_gates(w_hh, d)
                out[f"{layer}/bias"] = torch.stack([_swap_gru_gates(b_ih, d),
                                                    _swap_gru_gates(b_hh, d)])
            else:
                out[f"{layer}/kernel"], out[f"{layer}/recurrent_kernel"] = w_ih, w_hh
                out[f"{layer}/bias"] = b_ih
        return {name: value.detach().clone() for name, value in out.items()}

    def leaf_masks(self, masks):
        """masks ({FORMAT.md name: element mask}) as {leaf key: mask} in the leaves' layouts."""
        d, out = self.cfg.dim, {}
        for name, m in masks.items():
            m = torch.tensor(m, dtype=self.dtype)
            if name in self.params:
                out[name] = m
                continue
            tier, _, layer, leaf = name.split("/")
            key = f"{tier}/{layer.split('_')[1]}/" + ("weight_ih_l0" if leaf == "kernel"
                                                       else "weight_hh_l0")
            out[key] = (_swap_gru_gates(m, d) if self.cfg.rnn_type == "gru" else m).T
        return out

    def reset_states(self):
        self.state = None

    def _tier(self, tier, samples, conditioning, states):
        """PRiSM's FrameRNN.call on float samples [B, n·frame]; returns the upsampled
        conditioning [B, n·R, D] and the final states."""
        cfg, p = self.cfg, self.params
        frame = cfg.big_frame_size if tier == "big_frame" else cfg.frame_size
        ratio = cfg.big_frame_size // cfg.frame_size if tier == "big_frame" else cfg.frame_size
        frames = samples.reshape(samples.shape[0], -1, frame)
        frames = ((frames / (cfg.q_levels / 2.0)) - 1.0) * 2.0
        x = frames @ p[f"{tier}/input/kernel"] + p[f"{tier}/input/bias"]
        if conditioning is not None:
            x = x + conditioning
        seqs, out, finals = x, 0, []
        for i in range(cfg.num_rnn_layers):
            inputs = torch.cat((seqs, x), dim=2) if cfg.skip_conn and i == 0 else seqs
            seqs, final = self.modules[tier, i](inputs, states[i])
            finals.append(final)
            if cfg.skip_conn:
                out = out + seqs @ p[f"{tier}/rnn/layer_{i}/skip_out/kernel"]
                if i == 0:
                    out = out + p[f"{tier}/rnn/layer_{i}/skip_out/bias"]
        h = out if cfg.skip_conn else seqs
        upsample = p[f"{tier}/upsample"].permute(2, 1, 0)  # [R, out, in] -> torch [in, out, R]
        up = fn.conv_transpose1d(h.transpose(1, 2), upsample, stride=ratio)
        return up.transpose(1, 2), finals

    def _zero_states(self, batch):
        d = self.cfg.dim
        zero = torch.zeros(1, batch, d, dtype=self.dtype)
        one = zero if self.cfg.rnn_type == "gru" else (zero, zero.clone())
        return {tier: [one] * self.cfg.num_rnn_layers for tier in ("big_frame", "frame")}

    def forward(self, inputs):
        """inputs int64 [B, BF + T] -> logits [B, T, Q]; carries the states to the next call."""
        cfg, p = self.cfg, self.params
        bf, f = cfg.big_frame_size, cfg.frame_size
        states = self.state or self._zero_states(inputs.shape[0])
        x = inputs.to(self.dtype)
        big, big_final = self._tier("big_frame", x[:, :-bf], None, states["big_frame"])
        frame, frame_final = self._tier("frame", x[:, bf - f:-f], big, states["frame"])
        detach = (lambda s: s.detach()) if cfg.rnn_type == "gru" else (
            lambda s: (s[0].detach(), s[1].detach()))
        self.state = {"big_frame": [detach(s) for s in big_final],
                      "frame": [detach(s) for s in frame_final]}
        e = fn.embedding(inputs[:, bf - f:-1], p["sample_mlp/embedding"]).transpose(1, 2)
        conv = p["sample_mlp/input/kernel"].permute(2, 1, 0)  # Keras [F, Q, D] -> [D, Q, F]
        a = fn.conv1d(e, conv).transpose(1, 2) + frame
        h = torch.relu(a @ p["sample_mlp/hidden1/kernel"] + p["sample_mlp/hidden1/bias"])
        h = torch.relu(h @ p["sample_mlp/hidden2/kernel"] + p["sample_mlp/hidden2/bias"])
        return h @ p["sample_mlp/output/kernel"] + p["sample_mlp/output/bias"]

    def loss(self, inputs):
        """Mean cross-entropy (nats) of the predictions of inputs[:, BF:]."""
        logits = self.forward(inputs)
        targets = inputs[:, self.cfg.big_frame_size:]
        return fn.cross_entropy(logits.reshape(-1, self.cfg.q_levels), targets.reshape(-1))

    def gradients(self, inputs, masks=None):
        """The loss and {leaf key: gradient} of one subsequence; with masks (leaf_masks) those
        of pruned weights zero."""
        leaves = self.leaves()
        for value in leaves.values():
            value.grad = None
        loss = self.loss(inputs)
        loss.backward()
        if masks:
            with torch.no_grad():
                for key, m in masks.items():
                    leaves[key].grad *= m
        return float(loss), {name: value.grad for name, value in leaves.items()}


class KerasOptimizer:
    """Keras (TF 2 optimizer_v2) update rules, as train.py creates them."""

    def __init__(self, kind, learning_rate, momentum):
        self.kind, self.lr, self.momentum = kind, learning_rate, momentum
        self.step, self.slots = 0, {}

    @torch.no_grad()
    def apply(self, params, grads):
        self.step += 1
        for name, p in params.items():
            g = grads[name]
            m, v = self.slots.setdefault(name, (torch.zeros_like(p), torch.zeros_like(p)))
            if self.kind == "adam":  # ResourceApplyAdam, epsilon 1e-4
                b1, b2, eps = 0.9, 0.999, 1e-4
                alpha = self.lr * math.sqrt(1 - b2 ** self.step) / (1 - b1 ** self.step)
                m += (g - m) * (1 - b1)
                v += (g * g - v) * (1 - b2)
                p -= alpha * m / (v.sqrt() + eps)
            elif self.kind == "sgd":  # ResourceApplyKerasMomentum
                m.mul_(self.momentum).sub_(self.lr * g)
                p += m
            else:  # RMSprop, rho 0.9, epsilon 1e-5
                rho, eps = 0.9, 1e-5
                m += (g * g - m) * (1 - rho)
                if self.momentum > 0:  # ResourceApplyRMSProp
                    v.mul_(self.momentum).add_(self.lr * g / (m + eps).sqrt())
                    p -= v
                else:
                    p -= self.lr * g / (m.sqrt() + eps)


def clip_by_global_norm(grads, clip_norm=CLIP_NORM):
    norm = math.sqrt(sum(float((g * g).sum()) for g in grads.values()))
    if norm > clip_norm:
        for g in grads.values():
            g *= clip_norm / norm
    return norm


def train_steps(model, optimizer, batches, subsequences, masks=None):
    """PRiSM's training loop over batches [N, B, BF + S·T]: returns every step's loss."""
    cfg, losses = model.cfg, []
    for batch in batches:
        model.reset_states()
        for j in range(subsequences):
            sub = torch.from_numpy(batch[:, j * cfg.seq_len: j * cfg.seq_len + cfg.big_frame_size
                                         + cfg.seq_len].astype(np.int64))
            loss, grads = model.gradients(sub, masks)
            clip_by_global_norm(grads)
            optimizer.apply(model.leaves(), grads)
            losses.append(loss)
    return losses


def make_batches(cfg, batch, subsequences, count, rng):
    """count batches of PRiSM's shape: BF samples of quantised silence (pad_batch's zeros),
    then S·T samples of a noisy two-tone signal per row."""
    n = subsequences * cfg.seq_len
    t = np.arange(n)
    out = np.empty((count, batch, cfg.big_frame_size + n), dtype=np.int32)
    silence = quantise(np.zeros(cfg.big_frame_size, dtype=np.float32), cfg)
    for i in range(count):
        for b in range(batch):
            f1, f2 = rng.uniform(0.005, 0.08, size=2)
            p1, p2 = rng.uniform(0, 2 * np.pi, size=2)
            signal = 0.45 * np.sin(2 * np.pi * f1 * t + p1) + 0.25 * np.sin(2 * np.pi * f2 * t + p2)
            signal += rng.normal(0, 0.03, size=n)
            out[i, b] = np.concatenate([silence, quantise(signal.astype(np.float32), cfg)])
    return out


def case(frame_sizes, seq_len, **kw):
    f, bf = frame_sizes
    return Config(frame_size=f, big_frame_size=bf, seq_len=seq_len, **kw)


# name: (config, batch, subsequences, optimiser, learning rate, momentum[, prune densities])
CASES = {
    "gru": (case((4, 16), 32, dim=16, num_rnn_layers=2), 3, 2, "adam", 1e-2, 0.9),
    "lstm": (case((4, 16), 32, dim=12, num_rnn_layers=2, rnn_type="lstm"), 3, 2, "adam", 1e-2,
             0.9),
    "gru_skip": (case((4, 8), 24, dim=10, num_rnn_layers=3, skip_conn=True), 2, 4, "sgd", 0.05,
                 0.9),
    "lstm_skip": (case((2, 8), 16, dim=8, num_rnn_layers=2, rnn_type="lstm", skip_conn=True),
                  2, 2, "rmsprop", 3e-3, 0.9),
    "linear": (case((4, 16), 32, dim=12, num_rnn_layers=1, q_type="linear", q_levels=64), 2, 2,
               "rmsprop", 3e-3, 0.0),
    "frames_8_8": (case((8, 8), 16, dim=9, num_rnn_layers=1, rnn_type="lstm", q_type="linear",
                        q_levels=40), 4, 2, "adam", 1e-2, 0.9),
    "gru_skip_pruned": (case((4, 16), 32, dim=16, num_rnn_layers=2, skip_conn=True), 3, 2, "adam",
                        1e-2, 0.9, {"rnn": 0.5, "upsampling": 0.25, "mlp": 0.375}),
    "lstm_pruned": (case((2, 8), 16, dim=24, num_rnn_layers=2, rnn_type="lstm"), 2, 2, "sgd",
                    0.05, 0.9, {"rnn": 0.3, "upsampling": 1.0, "mlp": 0.6}),
}
STEPS = 20


def check_against_inference_reference(cfg, weights, batches):
    """The trainable model's weights map to PyTorch and back unchanged, and its first
    prediction equals srnn_ref.py's (which make_golden.py checks against Keras' formulas)."""
    model = TrainModel(cfg, weights)
    for name, value in model.keras().items():
        if not np.array_equal(value.numpy(), np.asarray(weights[name], dtype=np.float64)):
            raise SystemExit(f"train_ref: {name} does not survive the mapping to PyTorch and back")
    first = batches[0][:, :cfg.big_frame_size + cfg.seq_len].astype(np.int64)
    with torch.no_grad():
        ours = model.forward(torch.from_numpy(first)).numpy()
    theirs = SampleRNN(cfg, weights).forward(torch.from_numpy(first)).numpy()
    diff = float(np.abs(ours - theirs).max())
    if diff > 1e-4:
        raise SystemExit(f"train_ref: trainable model differs from srnn_ref by {diff:g}")


def write_grad_cases(outdir):
    outdir.mkdir(parents=True, exist_ok=True)
    for index, (name, (cfg, batch, subs, kind, lr, momentum, *pruning)) in enumerate(
            CASES.items()):
        densities = pruning[0] if pruning else {}
        cfg.check()
        torch.manual_seed(100 + index)
        weights = random_weights(cfg)
        batches = make_batches(cfg, batch, subs, STEPS // subs, np.random.default_rng(index))
        check_against_inference_reference(cfg, weights, batches)
        write_model(outdir / f"{name}.srnn", cfg, weights)
        weights = read_model(outdir / f"{name}.srnn")[1]  # exactly what the C side reads
        batches.astype("<i4").tofile(outdir / f"{name}.batches.i32")
        (outdir / f"{name}.txt").write_text(
            f"batch={batch}\nsubsequences={subs}\nbatches={len(batches)}\noptimizer={kind}\n"
            f"learning_rate={lr!r}\nmomentum={momentum!r}\n"
            + "".join(f"prune_density_{k}={v!r}\n" for k, v in densities.items()))
        masks = prune_masks(cfg, weights, densities)
        weights = {k: (w * masks[k]).astype(np.float32) if k in masks else w
                   for k, w in weights.items()}

        model = TrainModel(cfg, weights)
        leaf_masks = model.leaf_masks(masks)
        for j in range(2):  # the first subsequence from zero states, the second carried on
            sub = batches[0][:, j * cfg.seq_len: j * cfg.seq_len + cfg.big_frame_size + cfg.seq_len]
            model.gradients(torch.from_numpy(sub.astype(np.int64)), leaf_masks)
            write_model(outdir / f"{name}.grad{j + 1}.srnn", cfg,
                        {k: g.numpy().astype(np.float32)
                         for k, g in model.keras(grads=True).items()})

        model = TrainModel(cfg, weights)
        losses = train_steps(model, KerasOptimizer(kind, lr, momentum), batches, subs,
                             model.leaf_masks(masks))
        for k, w in model.keras().items():
            if k in masks and np.any(w.numpy()[masks[k] == 0] != 0):
                raise SystemExit(f"train_ref: {name}: pruned weights of {k} moved")
        (outdir / f"{name}.losses.txt").write_text("".join(f"{x!r}\n" for x in losses))
        print(f"{name}: losses {losses[0]:.5f} -> {losses[-1]:.5f}")
    (outdir / "cases.txt").write_text("".join(f"{name}\n" for name in CASES))


def bench(args):
    """Training samples per second of this reference, float32 like the C trainer."""
    torch.set_num_threads(args.threads)
    cfg = Config(frame_size=args.frame_sizes[0], big_frame_size=args.frame_sizes[1], dim=args.dim,
                 num_rnn_layers=args.layers, rnn_type=args.rnn, seq_len=args.seq_len)
    torch.manual_seed(0)
    model = TrainModel(cfg, random_weights(cfg), dtype=torch.float32)
    optimizer = KerasOptimizer("adam", 1e-3, 0.9)
    batches = make_batches(cfg, args.batch, args.steps, 1, np.random.default_rng(0))
    train_steps(model, optimizer, batches[:, :, :cfg.big_frame_size + cfg.seq_len], 1)  # warm-up
    start = time.perf_counter()
    train_steps(model, optimizer, batches, args.steps)
    seconds = time.perf_counter() - start
    print(f"samples_per_second={args.batch * cfg.seq_len * args.steps / seconds:.1f}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    grad = sub.add_parser("grad")
    grad.add_argument("outdir", type=Path)
    b = sub.add_parser("bench")
    b.add_argument("--dim", type=int, required=True)
    b.add_argument("--layers", type=int, required=True)
    b.add_argument("--rnn", choices=("gru", "lstm"), default="gru")
    b.add_argument("--frame-sizes", type=int, nargs=2, default=(16, 64))
    b.add_argument("--seq-len", type=int, default=1024)
    b.add_argument("--batch", type=int, required=True)
    b.add_argument("--threads", type=int, required=True)
    b.add_argument("--steps", type=int, required=True)
    args = parser.parse_args(argv[1:])
    if args.command == "grad":
        write_grad_cases(args.outdir)
    else:
        bench(args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
