#!/usr/bin/python3
"""PyTorch's GRU, forward and autograd backward in float64, for lesson 10 and tests/gru_test.ts.

Usage:  /usr/bin/python3 tools/gen_gru_reference.py     (Debian's python3-torch 1.13; writes
        data/gru/torch_gru.json)

For each case (two shapes), in float64 throughout (torch.set_default_dtype(torch.float64) before
anything is built, so even the initial weights are drawn as float64):

  torch.manual_seed(seed); gru = torch.nn.GRU(n_x, n_h)            # PyTorch's reset-after GRU
  x = torch.randn(T, B, n_x); h0 = torch.randn(1, B, n_h)
  C = torch.randn(T, B, n_h); D = torch.randn(1, B, n_h)
  output, h_n = gru(x, h0)
  L = (output * C).sum() + (h_n * D).sum()                          # a fixed loss
  L.backward()

Recorded: the weights split per gate as the documentation of torch.nn.GRU names them (torch
stacks weight_ih_l0 = [W_ir; W_iz; W_in], and likewise the others, in the order r, z, n), x, h0,
C, D, output, h_n, L, and the autograd gradients of L with respect to every parameter, x and h0.

torch has no module for the original paper's "reset before" GRU (Cho et al. 2014:
n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)), so each case also records torch's autograd of
that formula written out in torch operations, on the same weights and inputs and the same loss:
a check of our hand-derived backward against autodiff, not against a framework's GRU (for that,
tests/gru_test.ts uses TensorFlow.js's tf.layers.gru, which implements only this convention).

Every float is written as a Python repr, so every bit survives the round trip.
"""
import datetime
import json
import pathlib
import platform
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "data/gru/torch_gru.json"
GATES = ("r", "z", "n")
CASES = [
    {"name": "small", "seed": 10, "n_x": 3, "n_h": 4, "T": 5, "B": 2},
    {"name": "second shape", "seed": 11, "n_x": 2, "n_h": 6, "T": 9, "B": 3},
]


def r(t):
    """A tensor as a flat list of float64 reprs."""
    return [repr(float(v)) for v in t.detach().reshape(-1).tolist()]


def per_gate(gru):
    """torch's stacked parameters, split into PyTorch's documented names W_ir … b_hn."""
    out = {}
    for kind, stacked in (("W_i", gru.weight_ih_l0), ("W_h", gru.weight_hh_l0),
                          ("b_i", gru.bias_ih_l0), ("b_h", gru.bias_hh_l0)):
        for gate, block in zip(GATES, stacked.chunk(3, 0)):
            out[kind + gate] = block
    return out


def before_forward(w, x, h0):
    """The paper's GRU (reset before the recurrent product), in torch operations."""
    h = h0[0]
    outs = []
    for t in range(x.shape[0]):
        xt = x[t]
        rg = torch.sigmoid(xt @ w["W_ir"].T + w["b_ir"] + h @ w["W_hr"].T + w["b_hr"])
        zg = torch.sigmoid(xt @ w["W_iz"].T + w["b_iz"] + h @ w["W_hz"].T + w["b_hz"])
        ng = torch.tanh(xt @ w["W_in"].T + w["b_in"] + (rg * h) @ w["W_hn"].T + w["b_hn"])
        h = (1 - zg) * ng + zg * h
        outs.append(h)
    return torch.stack(outs), h.unsqueeze(0)


def case(spec):
    torch.manual_seed(spec["seed"])
    n_x, n_h, T, B = spec["n_x"], spec["n_h"], spec["T"], spec["B"]
    gru = torch.nn.GRU(n_x, n_h)
    x = torch.randn(T, B, n_x, requires_grad=True)
    h0 = torch.randn(1, B, n_h, requires_grad=True)
    C = torch.randn(T, B, n_h)
    D = torch.randn(1, B, n_h)
    output, h_n = gru(x, h0)
    loss = (output * C).sum() + (h_n * D).sum()
    loss.backward()
    weights = per_gate(gru)
    stacked_grads = {"W_i": gru.weight_ih_l0.grad, "W_h": gru.weight_hh_l0.grad,
                     "b_i": gru.bias_ih_l0.grad, "b_h": gru.bias_hh_l0.grad}
    grads = {kind + gate: block for kind, g in stacked_grads.items()
             for gate, block in zip(GATES, g.chunk(3, 0))}
    after = {"output": r(output), "h_n": r(h_n), "loss": repr(float(loss)),
             "grads": {k: r(v) for k, v in grads.items()},
             "x_grad": r(x.grad), "h0_grad": r(h0.grad)}
    # The paper's convention, autograd of the formula above on leaf copies of the same numbers.
    w = {k: v.detach().clone().requires_grad_(True) for k, v in weights.items()}
    xb = x.detach().clone().requires_grad_(True)
    hb = h0.detach().clone().requires_grad_(True)
    out_b, hn_b = before_forward(w, xb, hb)
    loss_b = (out_b * C).sum() + (hn_b * D).sum()
    loss_b.backward()
    before = {"output": r(out_b), "h_n": r(hn_b), "loss": repr(float(loss_b)),
              "grads": {k: r(v.grad) for k, v in w.items()},
              "x_grad": r(xb.grad), "h0_grad": r(hb.grad)}
    return {**spec, "weights": {k: r(v) for k, v in weights.items()},
            "x": r(x), "h0": r(h0), "C": r(C), "D": r(D),
            "after": after, "before": before}


def main():
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    data = {
        "provenance": {
            "script": "tools/gen_gru_reference.py",
            "command": "/usr/bin/python3 tools/gen_gru_reference.py",
            "torch": torch.__version__, "python": sys.version.split()[0],
            "machine": platform.machine(),
            "date": datetime.date.today().isoformat(),
            "dtype": "float64 (torch.set_default_dtype(torch.float64) before building anything)",
            "loss": "L = (output * C).sum() + (h_n * D).sum(), C (T,B,n_h) and D (1,B,n_h) from torch.randn",
            "layout": "flat row-major lists of float64 reprs; x (T,B,n_x), h0 (1,B,n_h), output (T,B,n_h), "
                      "h_n (1,B,n_h); weights per gate as torch.nn.GRU's documentation names them: "
                      "W_i* (n_h,n_x), W_h* (n_h,n_h), b_* (n_h); torch stacks them r, z, n",
            "after": "torch.nn.GRU itself (reset gate applied after W_hn h + b_hn)",
            "before": "torch autograd of the paper's formula n = tanh(W_in x + b_in + W_hn (r*h) + b_hn), "
                      "written in torch operations (no torch module implements it)",
        },
        "cases": [case(spec) for spec in CASES],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
