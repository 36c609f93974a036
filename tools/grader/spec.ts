/**
 * What an exercise declares to the grader (host-independent: no `Deno.*`, no Node built-ins).
 *
 * An exercise is an {@link ExerciseSpec}: a list of probes, each calling one of the learner's
 * functions on fixed inputs (`run`), the independent references its outputs must match
 * (`expect`: the lessons' published values, committed numpy / torch vectors, plain loops,
 * central differences of a reference forward pass), and the known mistakes (`mistakes`):
 * variants of the solution with one classic slip each.
 *
 * @module
 */

import type { NDArray } from "../../lib/numerics/ndarray.ts";

/** The learner's exports (or a reference / mistaken solution), by the source's names. */
// deno-lint-ignore no-explicit-any
export type Impl = Record<string, any>;

/** What a probe's own check found wrong (the `outcome` of `--json`). */
export type GradeErrorKind = "wrong_type" | "wrong_shape" | "changed_input" | "inaccurate";

/** Raised by a probe's own code when the learner's function returned the wrong kind of thing. */
export class GradeError extends Error {
  constructor(message: string, readonly kind: GradeErrorKind = "wrong_type") {
    super(message);
    this.name = "GradeError";
  }
}

/** A known mistake: a solution with one slip, and how to explain it. */
export interface Mistake {
  /** Short name, e.g. "missing (1 − a²)". */
  name: string;
  /** One or two sentences: what the code does and what it should do. */
  explain: string;
  /** Where the lessons explain it, e.g. `lesson 1, “One RNN cell, forward and backward”`. */
  section: string;
  /** The functions whose probes it can explain. */
  fns: string[];
  /** The mistaken solution (same exports as the reference). */
  impl: Impl;
}

/** One output of a probe and the independent reference it must match. */
export interface Expect {
  /** The output's name, as the source names it (`dWax`). */
  key: string;
  /** Expected shape (defaults to `value.shape`). */
  shape?: number[];
  /** Every entry's reference value, with an absolute tolerance and what the reference is. */
  value?: NDArray;
  tolerance?: number;
  against?: string;
  /** Single published entries: `name` as printed, index into the output, value, tolerance. */
  entries?: { name: string; index: number[]; value: number; tolerance: number }[];
  /** The output is a true/false verdict (stored as 1 / 0): reported as a boolean. */
  boolean?: boolean;
}

/** A gradient check of some outputs against central differences of a reference loss. */
export interface GradCheck {
  loss: () => number;
  /** Parameter name → the array the loss reads (perturbed in place). */
  params: Record<string, NDArray>;
  /** Output key → parameter name. */
  keys: Record<string, string>;
}

/** One call of one learner function on fixed inputs, and what its outputs must be. */
export interface Probe {
  fn: string;
  /** What it checks, in a few words. */
  name: string;
  /** Calls the implementation; returns its outputs by name. Runs where the learner's code runs. */
  run(impl: Impl): Record<string, unknown>;
  /** The independent references (computed by the grader, never from the learner's code). */
  expect?(): Expect[];
  gradcheck?(): GradCheck;
  /** Which outputs the mistakes are matched on (default: every returned array). */
  matchKeys?: string[];
  /**
   * The learner's functions a composed probe runs (its `fn` names the composition, e.g.
   * `rnn_cell_forward → rnn_cell_backward`): a mistake of any of them can explain it.
   */
  covers?: string[];
}

/** An exercise: its functions, probes and known mistakes. */
export interface ExerciseSpec {
  number: number;
  slug: string;
  title: string;
  /** The URL of the module exporting this spec as `spec` (a child process or worker imports it). */
  url: string;
  functions: string[];
  probes: Probe[];
  mistakes: Mistake[];
  /**
   * The reference solution (the library, through exercises/_solutions.ts): graded by
   * `--solution`, and the base of the mistakes. No `expect` compares with it: references come
   * from published values, committed vectors, plain loops or the library's own modules.
   */
  reference: Impl;
  /**
   * Arguments a function may change in place, by function name and argument index (an
   * accumulator such as `dlstm`'s `grads`); every other argument of every exported function
   * must be left as it was.
   */
  mutates?: Record<string, number[]>;
  /**
   * Random cases: probes drawn from `seed` (sizes, shapes and values beyond the lessons'),
   * appended to `probes`. The command line draws a new seed on every run and prints it;
   * `--seed N` repeats a run's cases.
   */
  random?(seed: number): Probe[];
}

/**
 * The probes of a run: for each function in order, its fixed probes, then its random cases
 * drawn from `seed` (none without a seed).
 */
export function probesOf(spec: ExerciseSpec, seed: number | undefined): Probe[] {
  const random = seed === undefined ? [] : spec.random?.(seed) ?? [];
  if (!random.length) return spec.probes;
  const all = [...spec.probes, ...random];
  const order = [
    ...spec.functions,
    ...all.map((p) => p.fn).filter((f) => !spec.functions.includes(f)),
  ];
  return order.flatMap((fn) => all.filter((p) => p.fn === fn));
}
