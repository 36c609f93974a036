/**
 * torch 1.13's recorded runs of document 000's comparison (`data/torch_rnn/lesson3.json`,
 * made by `tools/gen_torch_rnn.py`), read once into arrays: for each ATen CPU kernel
 * (`avx2`, torch's default on this kind of CPU, and `portable`) the initial weights and
 * their printouts, and two sequences, each with its inputs and everything torch computed.
 * Lesson 3 and its tests read them here, so the file's layout is known in one place.
 *
 * ```ts
 * import { readTorchRnnRuns } from "./torch_runs.ts";
 * import { deepEqual } from "node:assert/strict";
 * const runs = readTorchRnnRuns();
 * deepEqual(runs.avx2.first.torch.dW_hh.shape, [5, 5]);
 * ```
 *
 * @module
 */
import { readDataJson } from "../numerics/data.ts";
import { NDArray } from "../numerics/ndarray.ts";
import type { TorchClassGradients, TorchRnnParams } from "../nn/torch_rnn.ts";

/**
 * What torch computed for one sequence (`nn.RNN(4, 5)`, batch 3, 3 steps): the outputs
 * `hidden` h_1..h_3 (3, 3, 5) and the gradients under the class's names.
 */
export type TorchRnnQuantities = TorchClassGradients & { hidden: NDArray };

/** One sequence: its inputs x (3, 3, 4), h0 (1, 3, 5), upstream dh (3, 3, 5), and torch's results. */
export interface TorchSequence {
  x: NDArray;
  h0: NDArray;
  dh: NDArray;
  torch: TorchRnnQuantities;
}

/** One kernel's run: the weights after `manual_seed(123)`, their printouts, two sequences. */
export interface TorchRun {
  weights: TorchRnnParams;
  /** `str(rnn.<name>)` as torch printed each weight. */
  printed: Record<string, string>;
  first: TorchSequence;
  second: TorchSequence;
}

interface RawSequence {
  x: string[];
  h0: string[];
  dh: string[];
  output: string[];
  x_grad: string[];
  h0_grad: string[];
  grads: Record<string, string[]>;
}
interface RawRun {
  weights: Record<string, string[]>;
  printed: Record<string, string>;
  first: RawSequence;
  second: RawSequence;
}

/** A recorded list of decimal strings (full float64 precision) as an array of `shape`. */
const fromTorch = (v: string[], shape: number[]) => new NDArray(v.map(Number), shape);

function sequence(s: RawSequence): TorchSequence {
  return {
    x: fromTorch(s.x, [3, 3, 4]),
    h0: fromTorch(s.h0, [1, 3, 5]),
    dh: fromTorch(s.dh, [3, 3, 5]),
    torch: {
      hidden: fromTorch(s.output, [3, 3, 5]),
      dx: fromTorch(s.x_grad, [3, 3, 4]),
      dh0: fromTorch(s.h0_grad, [1, 3, 5]),
      dW_ih: fromTorch(s.grads.weight_ih_l0, [5, 4]),
      dW_hh: fromTorch(s.grads.weight_hh_l0, [5, 5]),
      db_ih: fromTorch(s.grads.bias_ih_l0, [5]),
      db_hh: fromTorch(s.grads.bias_hh_l0, [5]),
    },
  };
}

function run(r: RawRun): TorchRun {
  return {
    weights: {
      weight_ih_l0: fromTorch(r.weights.weight_ih_l0, [5, 4]),
      weight_hh_l0: fromTorch(r.weights.weight_hh_l0, [5, 5]),
      bias_ih_l0: fromTorch(r.weights.bias_ih_l0, [5]),
      bias_hh_l0: fromTorch(r.weights.bias_hh_l0, [5]),
    },
    printed: r.printed,
    first: sequence(r.first),
    second: sequence(r.second),
  };
}

/** Both kernels' runs, from data/torch_rnn/lesson3.json. */
export function readTorchRnnRuns(): { avx2: TorchRun; portable: TorchRun } {
  const { runs } = readDataJson<{ runs: { avx2: RawRun; portable: RawRun } }>(
    "torch_rnn/lesson3.json",
  );
  return { avx2: run(runs.avx2), portable: run(runs.portable) };
}
