"""The reference SampleRNN in PyTorch, with PRiSM SampleRNN's semantics.

Weights stay in Keras layout under FORMAT.md's names (what a .srnn file holds) and are mapped
onto torch.nn.GRU / torch.nn.LSTM and torch's convolutions here. The forward pass mirrors
PRiSM's SampleRNN.call(training=True): every tier runs over the whole sequence at once, teacher
forced, so it shares no code path with a sample-by-sample engine.
"""
import re

import numpy as np
import torch
import torch.nn.functional as fn

from srnn_format import tensor_shapes


def silent_value(cfg):
    return cfg.q_levels // 2


def quantise(audio, cfg):
    """PRiSM's quantize() of float32 audio in [-1, 1] to int32 levels, in float32 as TF and
    numpy compute it there (utils.py)."""
    a = np.asarray(audio, dtype=np.float32)
    if cfg.q_type == "mu-law":
        mu = np.float32(255)
        safe = np.minimum(np.abs(a), np.float32(1))
        magnitude = np.log(np.float32(1) + mu * safe) / np.log(np.float32(256))
        signal = np.sign(a) * magnitude
        return ((signal + 1) / 2 * mu + np.float32(0.5)).astype(np.int32)
    # linear_quantize works in place on a float32 array, so each Python scalar is cast to
    # float32 before use: Q - 1e-5 rounds to Q itself in float32 once Q exceeds about 170.
    eps = 1e-5
    out = (a + np.float32(1)) / np.float32(2)
    out = out * np.float32(cfg.q_levels - eps) + np.float32(eps / 2)
    return out.astype(np.int32)


def random_weights(cfg):
    """Random weights for cfg in Keras layout, {name: float32 array}, drawn from torch's global
    generator (seed it first).

    Scaled like Glorot, std = gain / sqrt(fan_in), so that no tanh or sigmoid saturates and the
    logits spread over a few nats. The RNN kernels (gain 1.5) and the upsampling (gain 2) get
    more than unit gain because every RNN layer shrinks its signal, and the golden logits must
    depend visibly on the upper tiers for a test against them to catch errors there; for the
    same reason the LSTM forget gates get Keras' unit_forget_bias (+1). Every bias is small but
    non-zero, so that a dropped or misplaced bias shows.
    """
    weights = {}
    for name, shape in tensor_shapes(cfg):
        leaf = name.rsplit("/", 1)[-1]
        if leaf == "bias":
            std = 0.1
        elif leaf == "embedding":
            std = 1.0
        elif name == "sample_mlp/input/kernel":
            std = (cfg.frame_size * cfg.q_levels) ** -0.5  # F embedding rows of Q unit values
        elif name.startswith("sample_mlp/"):
            std = (2 / shape[0]) ** 0.5  # after a relu only half the inputs are non-zero
        elif leaf == "upsample":
            std = 2 * shape[2] ** -0.5  # [W, out, in]
        elif "/skip_out/" in name:
            std = shape[0] ** -0.5
        else:
            std = 1.5 * shape[0] ** -0.5  # RNN kernel and recurrent_kernel, [in, G*D]
        weights[name] = (torch.randn(shape, dtype=torch.float64) * std).float().numpy()
        if cfg.rnn_type == "lstm" and re.fullmatch(r".*/rnn/layer_\d+/bias", name):
            weights[name][cfg.dim:2 * cfg.dim] += 1  # gate order i, f, c, o
    return weights


def _keras_to_torch_gates(matrix, d):
    """Reorders Keras GRU gate blocks z, r, h (last axis) into PyTorch's r, z, n."""
    z, r, h = matrix[..., :d], matrix[..., d:2 * d], matrix[..., 2 * d:]
    return np.concatenate([r, z, h], axis=-1)


def gru_from_keras(kernel, recurrent_kernel, bias):
    """nn.GRU computing Keras' GRU (reset_after=True): kernel [I, 3D], recurrent [D, 3D],
    bias [2, 3D] with row 0 the input bias and row 1 the recurrent one. Both apply the reset
    gate after the recurrent matmul: n = tanh(W_n x + b_in + r * (U_n h + b_hn))."""
    d = recurrent_kernel.shape[0]
    gru = torch.nn.GRU(kernel.shape[0], d, batch_first=True)
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.from_numpy(_keras_to_torch_gates(kernel, d).T.copy()))
        gru.weight_hh_l0.copy_(torch.from_numpy(
            _keras_to_torch_gates(recurrent_kernel, d).T.copy()))
        gru.bias_ih_l0.copy_(torch.from_numpy(_keras_to_torch_gates(bias[0], d)))
        gru.bias_hh_l0.copy_(torch.from_numpy(_keras_to_torch_gates(bias[1], d)))
    return gru


def lstm_from_keras(kernel, recurrent_kernel, bias):
    """nn.LSTM computing Keras' LSTM: gate order i, f, c, o is PyTorch's i, f, g, o, and Keras'
    single bias [4D] becomes bias_ih with bias_hh zero."""
    d = recurrent_kernel.shape[0]
    lstm = torch.nn.LSTM(kernel.shape[0], d, batch_first=True)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(kernel.T.copy()))
        lstm.weight_hh_l0.copy_(torch.from_numpy(recurrent_kernel.T.copy()))
        lstm.bias_ih_l0.copy_(torch.from_numpy(bias))
        lstm.bias_hh_l0.zero_()
    return lstm


class FrameTier:
    """PRiSM's FrameRNN (frame_rnn.py) with its RNN stack (nn.py's RNN)."""

    def __init__(self, cfg, weights, tier):
        self.q_levels = cfg.q_levels
        self.skip_conn = cfg.skip_conn
        self.frame = cfg.big_frame_size if tier == "big_frame" else cfg.frame_size
        # Outputs per step: one per frame of the tier below, or one per sample.
        self.stride = (cfg.big_frame_size // cfg.frame_size if tier == "big_frame"
                       else cfg.frame_size)

        def w(name):
            return torch.from_numpy(weights[f"{tier}/{name}"])

        self.input_kernel, self.input_bias = w("input/kernel"), w("input/bias")
        make = gru_from_keras if cfg.rnn_type == "gru" else lstm_from_keras
        self.layers, self.skip_out = [], []
        for i in range(cfg.num_rnn_layers):
            layer = f"{tier}/rnn/layer_{i}"
            self.layers.append(make(weights[f"{layer}/kernel"],
                                    weights[f"{layer}/recurrent_kernel"],
                                    weights[f"{layer}/bias"]))
            if cfg.skip_conn:
                bias = w(f"rnn/layer_{i}/skip_out/bias") if i == 0 else None
                self.skip_out.append((w(f"rnn/layer_{i}/skip_out/kernel"), bias))
        # tf.nn.conv1d_transpose's filter is [width, out, in]; torch's is [in, out, width].
        self.upsample = w("upsample").permute(2, 1, 0).contiguous()

    def rnn(self, seqs):
        if not self.skip_conn:
            for layer in self.layers:
                seqs = layer(seqs)[0]
            return seqs
        # nn.py: layer 0 reads concat(inputs, inputs); the output is the sum of every layer's
        # Dense, of which only layer 0's has a bias.
        inputs, out = seqs, 0
        for i, (layer, (kernel, bias)) in enumerate(zip(self.layers, self.skip_out)):
            seqs = layer(torch.cat((seqs, inputs), dim=2) if i == 0 else seqs)[0]
            out = out + (seqs @ kernel if bias is None else seqs @ kernel + bias)
        return out

    def __call__(self, samples, conditioning=None):
        """samples: float32 [B, T] (T a multiple of the frame) -> [B, T / frame * stride, D]."""
        frames = samples.reshape(samples.shape[0], -1, self.frame)
        frames = ((frames / (self.q_levels / 2.0)) - 1.0) * 2.0
        x = frames @ self.input_kernel + self.input_bias
        if conditioning is not None:
            x = x + conditioning
        h = self.rnn(x)
        up = fn.conv_transpose1d(h.transpose(1, 2), self.upsample, stride=self.stride)
        return up.transpose(1, 2)


class SampleMLP:
    """PRiSM's SampleMLP (sample_mlp.py): embedding, Conv1D over F samples, three Dense."""

    def __init__(self, cfg, weights):
        def w(name):
            return torch.from_numpy(weights[f"sample_mlp/{name}"])

        self.embedding = torch.nn.Embedding.from_pretrained(w("embedding"))
        self.conv = w("input/kernel").permute(2, 1, 0).contiguous()  # Keras [F, Q, D] -> [D, Q, F]
        self.dense = [(w(f"{n}/kernel"), w(f"{n}/bias")) for n in ("hidden1", "hidden2", "output")]

    def __call__(self, samples, conditioning):
        """samples: int64 [B, T + F - 1], conditioning [B, T, D] -> logits [B, T, Q]."""
        e = self.embedding(samples).transpose(1, 2)  # [B, Q, T + F - 1]
        x = fn.conv1d(e, self.conv).transpose(1, 2) + conditioning
        (k1, b1), (k2, b2), (k3, b3) = self.dense
        x = torch.relu(x @ k1 + b1)
        x = torch.relu(x @ k2 + b2)
        return x @ k3 + b3


class SampleRNN:
    """PRiSM's three-tier SampleRNN (model.py) built from Keras-layout weights."""

    def __init__(self, cfg, weights):
        self.cfg = cfg
        self.big_frame = FrameTier(cfg, weights, "big_frame")
        self.frame = FrameTier(cfg, weights, "frame")
        self.sample_mlp = SampleMLP(cfg, weights)

    @torch.no_grad()
    def forward(self, inputs):
        """PRiSM's SampleRNN.call(training=True). inputs: int64 [B, BF + N] -> logits
        [B, N, Q], row n predicting inputs[:, BF + n] from everything before it."""
        bf, f = self.cfg.big_frame_size, self.cfg.frame_size
        x = inputs.float()
        big = self.big_frame(x[:, :-bf])
        frame = self.frame(x[:, bf - f:-f], conditioning=big)
        return self.sample_mlp(inputs[:, bf - f:-1], conditioning=frame)

    def predict(self, targets):
        """Logits [N, Q] (float32 numpy) for targets (N, a multiple of BF), each predicted from
        BF silent samples followed by the targets before it, all RNN states starting at zero."""
        n, bf = len(targets), self.cfg.big_frame_size
        if n == 0 or n % bf:
            raise ValueError(f"{n} targets, not a positive multiple of {bf}")
        prefix = np.full(bf, silent_value(self.cfg), dtype=np.int64)
        inputs = torch.from_numpy(np.concatenate([prefix, targets]).astype(np.int64))
        return self.forward(inputs[None])[0].numpy()


def nll_nats(logits, targets):
    """Mean negative log-likelihood in nats, accumulated in float64."""
    log_p = torch.log_softmax(torch.from_numpy(logits).double(), dim=1)
    picked = log_p[torch.arange(len(targets)), torch.from_numpy(targets).long()]
    return float(-picked.mean())
