#!/usr/bin/env python3
"""The PyTorch peer of `fedlmt bench models`: the same model shapes, trained the same way, timed the same way.

Builds the CIFAR-style ResNet-18 of METHOD.md on 1x28x28 inputs (3x3 stem, no max-pool, stages 64-128-256-512,
BatchNorm without running statistics, linear head), full or low-rank (every BasicBlock's 3x3 convs factorized as a
1x3 conv to rank r = round(ratio x C_out) followed by a 3x1 conv, as the authors' code does), and times the training
step (forward, cross-entropy, backward, SGD momentum 0.9 weight decay 1e-4) on one fixed batch: warm-up steps, then
three passes of N steps, the median pass reported. Prints one JSON object per model on stdout. With --round-sizes it
times federated rounds instead (the authors' client loop on real Fashion-MNIST; see time_round). With --vocabulary V
it times the Transformer language model (TransformerLm, as `fedlmt bench transformer` builds ours) on random token
windows [batch, positions], cross-entropy at every position.

Benchmarks only, never the tests: needs Debian's python3-torch (PyTorch 1.13, CPU), run as /usr/bin/python3.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def rank_of(ratio, out_channels, full_rank):
    return max(1, min(full_rank, round(ratio * out_channels)))  # Python's round: half to even, as ours


def conv3x3(cin, cout, stride, ratio):
    if ratio is None:
        return nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
    r = rank_of(ratio, cout, 3 * min(cin, cout))
    return nn.Sequential(nn.Conv2d(cin, r, (1, 3), (1, stride), (0, 1), bias=False),
                         nn.Conv2d(r, cout, (3, 1), (stride, 1), (1, 0), bias=False))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, ratio):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride, ratio)
        self.bn1 = nn.BatchNorm2d(cout, track_running_stats=False)
        self.conv2 = conv3x3(cout, cout, 1, ratio)
        self.bn2 = nn.BatchNorm2d(cout, track_running_stats=False)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout, track_running_stats=False))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = out + (x if self.shortcut is None else self.shortcut(x))
        return F.relu(out)


class ResNet18(nn.Module):
    def __init__(self, in_channels, classes, ratio):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64, track_running_stats=False)
        blocks, cin = [], 64
        for stage, width in enumerate([64, 128, 256, 512]):
            for b in range(2):
                stride = 2 if stage > 0 and b == 0 else 1
                blocks.append(BasicBlock(cin, width, stride, ratio))
                cin = width
        self.blocks = nn.Sequential(*blocks)
        self.linear = nn.Linear(512, classes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.blocks(out)
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.linear(out)


def time_steps(model, batch, warmup, steps, in_channels=1, size=28, classes=10):
    g = torch.Generator().manual_seed(1)
    data = torch.randn(batch, in_channels, size, size, generator=g)
    labels = torch.randint(classes, (batch,), generator=torch.Generator().manual_seed(2))
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(data), labels).backward()
        opt.step()

    return timed(step, warmup, steps)


def timed(step, warmup, steps):
    """Warm-up steps, then three passes of `steps` steps: the median pass's ms per step, and every pass's."""
    for _ in range(warmup):
        step()
    passes = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        passes.append((time.perf_counter() - start) * 1000 / steps)
    return sorted(passes)[1], passes


class FactorizedLinear(nn.Module):
    """W = U V^T: y = U (V^T x) + b, U out x r, V in x r (ours: FedLmt.Layers.FactorizedLinear)."""

    def __init__(self, cin, cout, rank):
        super().__init__()
        self.u = nn.Parameter(torch.empty(cout, rank).uniform_(-0.1, 0.1))
        self.v = nn.Parameter(torch.empty(cin, rank).uniform_(-0.1, 0.1))
        self.bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x):
        return F.linear(x.matmul(self.v), self.u, self.bias)


class FactorizedEmbedding(nn.Module):
    """Table U V^T: rows of U (rank r) projected by V (dim x r) without bias (ours: FedLmt.Layers.FactorizedEmbedding)."""

    def __init__(self, rows, dim, rank):
        super().__init__()
        self.u = nn.Parameter(torch.randn(rows, rank) * 0.1)
        self.v = nn.Parameter(torch.randn(dim, rank) * 0.1)

    def forward(self, ids):
        return F.linear(F.embedding(ids, self.u), self.v)


def lm_linear(cin, cout, ratio):
    if ratio is None:
        return nn.Linear(cin, cout)
    return FactorizedLinear(cin, cout, rank_of(ratio, min(cin, cout), min(cin, cout)))


def lm_embedding(rows, dim, ratio):
    if ratio is None:
        return nn.Embedding(rows, dim)
    return FactorizedEmbedding(rows, dim, rank_of(ratio, min(rows, dim), min(rows, dim)))


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x):
        b, t, e = x.shape
        d = e // self.heads
        q, k, v = (p(x).view(b, t, self.heads, d).transpose(1, 2) for p in (self.q, self.k, self.v))
        scores = q.matmul(k.transpose(-2, -1)) / d ** 0.5
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        mixed = scores.masked_fill(mask, float("-inf")).softmax(-1).matmul(v)
        return self.o(mixed.transpose(1, 2).reshape(b, t, e))


class EncoderLayer(nn.Module):
    def __init__(self, dim, ffn, ratio):
        super().__init__()
        self.attention = CausalSelfAttention(dim, 8)
        self.attention_norm = nn.LayerNorm(dim)
        self.ffn_in, self.ffn_out = lm_linear(dim, ffn, ratio), lm_linear(ffn, dim, ratio)
        self.ffn_norm = nn.LayerNorm(dim)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        a = self.attention_norm(x + self.drop(self.attention(x)))
        return self.ffn_norm(a + self.drop(self.ffn_out(self.drop(F.gelu(self.ffn_in(a))))))


class TransformerLm(nn.Module):
    """The authors' 3-layer language model as ours builds it (FedLmt.Models.TransformerLm): E 128, 8 heads, FFN 2048,
    factorized embeddings, feed-forward and decoder; dropout 0.1 on embeddings, FFN and residuals, none on attention."""

    def __init__(self, vocabulary, positions, ratio, dim=128, ffn=2048):
        super().__init__()
        self.token_embedding = lm_embedding(vocabulary + 1, dim, ratio)
        self.position_embedding = lm_embedding(positions, dim, ratio)
        self.embedding_norm = nn.LayerNorm(dim)
        self.layers = nn.ModuleList(EncoderLayer(dim, ffn, ratio) for _ in range(3))
        self.decoder_dense, self.decoder_out = lm_linear(dim, dim, ratio), lm_linear(dim, vocabulary, ratio)
        self.decoder_norm = nn.LayerNorm(dim)
        self.drop = nn.Dropout(0.1)

    def forward(self, ids):
        positions = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
        x = self.drop(self.embedding_norm(self.token_embedding(ids) + self.position_embedding(positions)))
        for layer in self.layers:
            x = layer(x)
        return self.decoder_out(self.decoder_norm(F.gelu(self.decoder_dense(x))))


def time_lm_steps(model, batch, positions, vocabulary, warmup, steps):
    ids = torch.randint(vocabulary + 1, (batch, positions), generator=torch.Generator().manual_seed(1))
    targets = torch.randint(vocabulary, (batch, positions), generator=torch.Generator().manual_seed(2))
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(ids).reshape(-1, vocabulary), targets.reshape(-1)).backward()
        opt.step()

    return timed(step, warmup, steps)


def read_idx(path):
    import gzip
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def time_round(ratio, batch, client_sizes, rounds, fmnist_dir):
    """Federated rounds as the authors' code runs them: per sampled client, load the global state into the model,
    one local epoch over a shuffled DataLoader with a fresh SGD, state_dict back; then the sample-weighted average.
    Returns ms per trained sample of each round (round 1 included: callers skip it as a warm-up)."""
    images = read_idx(f"{fmnist_dir}/train-images-idx3-ubyte.gz")
    labels = read_idx(f"{fmnist_dir}/train-labels-idx1-ubyte.gz")
    x_all = (torch.from_numpy(images.astype("float32") / 255.0).unsqueeze(1) - 0.2860) / 0.3530
    y_all = torch.from_numpy(labels.astype("int64"))
    g = torch.Generator().manual_seed(1)
    order = torch.randperm(len(y_all), generator=g)
    clients, start = [], 0
    for n in client_sizes:
        idx = order[start:start + n]
        start += n
        clients.append(torch.utils.data.TensorDataset(x_all[idx], y_all[idx]))
    model = ResNet18(1, 10, ratio)
    global_state = {k: v.clone() for k, v in model.state_dict().items()}
    per_sample = []
    for r in range(rounds):
        begin, trained, updates = time.perf_counter(), 0, []
        for data in clients:
            model.load_state_dict(global_state)
            model.train()
            opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
            for x, y in torch.utils.data.DataLoader(data, batch_size=batch, shuffle=True):
                opt.zero_grad()
                F.cross_entropy(model(x), y).backward()
                opt.step()
                trained += len(y)
            updates.append(({k: v.clone() for k, v in model.state_dict().items()}, len(data)))
        total = sum(n for _, n in updates)
        global_state = {k: sum(u[k] * (n / total) for u, n in updates) for k in global_state}
        per_sample.append((time.perf_counter() - begin) * 1000 / trained)
    return per_sample


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--ratio", type=float, default=0.2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--models", default="full,lowrank", help="comma-separated: full, lowrank")
    p.add_argument("--round-sizes", default="", help="comma-separated client sample counts: time FL rounds on Fashion-MNIST instead")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--fmnist", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--vocabulary", type=int, default=0, help="time the transformer language model of this vocabulary instead")
    p.add_argument("--positions", type=int, default=64)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    if a.round_sizes:
        sizes = [int(n) for n in a.round_sizes.split(",")]
        ms = time_round(a.ratio, a.batch, sizes, a.rounds, a.fmnist)
        print(json.dumps({"model": "lowrank-round", "ratio": a.ratio, "batch": a.batch, "ms_per_sample": ms,
                          "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
        return 0
    if a.vocabulary:
        for name in a.models.split(","):
            ratio = None if name == "full" else a.ratio
            model = TransformerLm(a.vocabulary, a.positions, ratio)
            ms, passes = time_lm_steps(model, a.batch, a.positions, a.vocabulary, a.warmup, a.steps)
            print(json.dumps({"model": "transformer-" + name, "ratio": ratio, "batch": a.batch, "ms_per_step": ms, "passes_ms": passes,
                              "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
        return 0
    for name in a.models.split(","):
        ratio = None if name == "full" else a.ratio
        ms, passes = time_steps(ResNet18(1, 10, ratio), a.batch, a.warmup, a.steps)
        print(json.dumps({"model": name, "ratio": ratio, "batch": a.batch, "ms_per_step": ms, "passes_ms": passes,
                          "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
