#!/usr/bin/python3
"""The PyTorch baseline of `srnn bench`: PRiSM SampleRNN's generation written the plain way in
PyTorch, one sample at a time (batch 1, one thread): the big frame tier every BF samples, the
frame tier every F samples, and every sample the input convolution over the embedded last F
samples, the MLP and a float64 softmax draw, as PRiSM's generate.py computes it. As in the
engine, the embedding and the convolution are multiplied out once into a table of F x Q rows,
of which each sample adds F (a literal Conv1D costs F*Q*D MACs per sample, more than the rest
of a small model). Random weights (speed does not depend on them).

Usage: speed_pytorch.py --dim D --layers L [--seconds S]
Prints: samples_per_second=X
"""
import argparse
import time

import torch
from torch import nn

F, BF, Q = 16, 64, 256


class Tier(nn.Module):
    def __init__(self, frame, ratio, dim, layers):
        super().__init__()
        self.ratio, self.dim = ratio, dim
        self.input = nn.Linear(frame, dim)
        self.rnn = nn.GRU(dim, dim, layers, batch_first=True)
        self.upsample = nn.Linear(dim, ratio * dim, bias=False)  # conv1d_transpose, stride R
        self.state = None

    def step(self, samples, conditioning=None):
        x = self.input(((samples.float() / (Q / 2)) - 1) * 2)
        if conditioning is not None:
            x = x + conditioning
        out, self.state = self.rnn(x.view(1, 1, -1), self.state)
        return self.upsample(out.view(-1)).view(self.ratio, self.dim)


class SampleRNN(nn.Module):
    def __init__(self, dim, layers):
        super().__init__()
        self.big = Tier(BF, BF // F, dim, layers)
        self.frame = Tier(F, F, dim, layers)
        self.embedding = nn.Embedding(Q, Q)
        self.conv = nn.Linear(F * Q, dim, bias=False)  # Conv1D of width F, valid padding
        self.hidden1, self.hidden2 = nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.output = nn.Linear(dim, Q)

    def fold(self):
        """table[k, q] = embedding[q] · conv tap k, so the convolution is F row additions."""
        taps = self.conv.weight.t().reshape(F, Q, -1)  # (F, Q, D)
        self.table = torch.einsum("qe,ked->kqd", self.embedding.weight, taps)
        self.taps = torch.arange(F)

    def predict(self, recent, conditioning):
        a = self.table[self.taps, recent].sum(0) + conditioning
        h = torch.relu(self.hidden1(a))
        h = torch.relu(self.hidden2(h))
        return self.output(h)


def generate(model, seconds, temperature=0.95):
    window = torch.full((2 * BF,), Q // 2, dtype=torch.long)
    count, start = 0, time.perf_counter()
    big_out = frame_out = None
    with torch.no_grad():
        while True:
            for p in range(BF):
                end = BF + p
                if p == 0:
                    big_out = model.big.step(window[:BF])
                if p % F == 0:
                    frame_out = model.frame.step(window[end - F:end], big_out[p // F])
                logits = model.predict(window[end - F:end], frame_out[p % F])
                probs = torch.softmax(logits.double() / temperature, dim=0)
                window[end] = torch.multinomial(probs, 1)[0]
            window[:BF] = window[BF:].clone()
            count += BF
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return count / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dim", type=int, required=True)
    parser.add_argument("--layers", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = SampleRNN(args.dim, args.layers).eval()
    with torch.no_grad():
        model.fold()
    generate(model, min(0.5, args.seconds))  # warm-up
    print(f"samples_per_second={generate(model, args.seconds):.3f}")


if __name__ == "__main__":
    main()
