/**
 * Running one probe on the learner's code, wherever that code runs (the child process today,
 * a Web Worker in the page): given the learner's module namespace object and a spec, run probe
 * `i` and return an {@link Outcome}. Host-independent: no `Deno.*`, no Node built-ins.
 *
 * Every function the learner exports is called through a guard that snapshots its array
 * arguments (NDArrays, typed arrays, and the arrays inside tuples and dictionaries such as a
 * `cache` or `parameters`) and compares them after the call: an input changed in place is
 * reported as such, unless the spec lists that argument as an accumulator (`spec.mutates`).
 *
 * ```ts
 * import { guardInputs } from "./probe.ts";
 * import { NDArray } from "../../lib/numerics/ndarray.ts";
 * import { throws } from "node:assert/strict";
 * const impl = guardInputs({ scale(x: NDArray) { x.data[0] = 2; return x; } }, {});
 * throws(() => impl.scale(NDArray.zeros([2])), /scale changed its argument x in place/);
 * ```
 *
 * @module
 */

import { type ExerciseSpec, type GradeErrorKind, type Impl, type Probe, probesOf } from "./spec.ts";
import { type Outcome, serializeAll } from "./protocol.ts";
import { isNd } from "./values.ts";

/** How the host names the stack frames of the learner's code. */
export interface StackPaths {
  /** True for a URL (as a stack frame prints it) of the learner's own code. */
  isLearner(url: string): boolean;
  /** How to show that URL to the learner: a path relative to the repository, a file name. */
  show(url: string): string;
}

/** The first stack frame in the learner's code, as `path:line`. */
export function learnerLine(stack: string | undefined, paths: StackPaths): string | undefined {
  for (const m of (stack ?? "").matchAll(/([a-z][a-z0-9+.-]*:[^\s()]+?):(\d+):(\d+)/gi)) {
    if (!paths.isLearner(m[1])) continue;
    return `${paths.show(m[1])}:${m[2]}`;
  }
  return undefined;
}

/** Raised by the guard when a learner's function changed an input it must leave alone. */
export class ChangedInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChangedInput";
  }
}

/**
 * A refused file, network, environment or subprocess access, said in the learner's terms
 * (Deno's own message ends "run again with the --allow-… flag", advice that does not apply).
 *
 * ```ts
 * import { refusedAccess } from "./probe.ts";
 * import { match } from "node:assert/strict";
 * match(
 *   refusedAccess('Requires net access to "example.com:443", run again with the --allow-net flag')!,
 *   /tried to reach the network \("example.com:443"\).*read-only/,
 * );
 * ```
 */
export function refusedAccess(message: string): string | undefined {
  const m = message.match(
    /Requires (\w+) access to (.+?)(?:, run again with the --allow-\w+ flag)?$/,
  );
  if (!m) return undefined;
  const what: Record<string, string> = {
    read: "to read",
    write: "to write",
    net: "to reach the network",
    env: "to read the environment",
    run: "to start the program",
    sys: "to read system information",
    ffi: "to load the native library",
    import: "to import",
  };
  return `your code tried ${what[m[1]] ?? `${m[1]} access`} (${m[2]}), which the grader ` +
    "does not allow: it runs your code read-only (it may read the course's files, nothing else: no writing, network, environment or programs), so that a grade " +
    "depends only on the arguments your function is given and grading cannot harm your " +
    "machine. Compute the result from the arguments";
}

/**
 * A module that failed to load, as one line (`SyntaxError: Expression expected`), the code
 * frame Deno printed under it (kept verbatim, so its caret stays under the right column), and
 * the learner's line.
 */
export function loadError(
  e: unknown,
  paths: StackPaths,
): { message: string; detail?: string; where?: string } {
  const o = classify(e, paths);
  const text = o.kind !== "threw" ? String(e) : /^\w*Error: /.test(o.message) // Deno's TypeError around "SyntaxError: …"
    ? o.message
    : `${o.name}: ${o.message}`;
  const [first, ...rest] = text.split("\n");
  const frame = rest.filter((l) => !/^\s*at \S+:\d+:\d+\s*$/.test(l));
  while (frame.length && !frame[frame.length - 1].trim()) frame.pop();
  let where = o.kind === "threw" ? o.where : undefined;
  if (!where) {
    for (const l of rest) {
      const m = l.match(/^\s*at (\S+):(\d+):\d+\s*$/);
      if (m && paths.isLearner(m[1])) where = `${paths.show(m[1])}:${m[2]}`;
    }
  }
  return { message: first, ...(frame.length ? { detail: frame.join("\n") } : {}), where };
}

/** An exception from learner code (or a probe's own check), as an {@link Outcome}. */
export function classify(e: unknown, paths: StackPaths): Outcome {
  const err = e as { name?: string; message?: string; stack?: string; what?: string };
  if (err?.name === "NotImplemented") return { kind: "not_implemented", what: err.what ?? "" };
  if (err?.name === "GradeError") {
    const kind = (e as { kind?: GradeErrorKind }).kind;
    return { kind: "bad_return", message: String(err.message), ...(kind ? { verdict: kind } : {}) };
  }
  if (err?.name === "ChangedInput") return { kind: "changed_input", message: String(err.message) };
  if (e instanceof Error || (typeof e === "object" && e !== null && "message" in e)) {
    return {
      kind: "threw",
      name: err.name ?? "Error",
      message: refusedAccess(String(err.message)) ?? String(err.message),
      where: learnerLine(err.stack, paths),
    };
  }
  return { kind: "threw", name: "a non-Error value", message: String(e) };
}

/** Runs probe `i` of `spec` on the learner's module (its namespace object, or any object). */
export function runProbe(
  spec: ExerciseSpec,
  i: number,
  learner: Impl,
  paths: StackPaths,
  seed?: number,
): Outcome {
  return runOne(probesOf(spec, seed)[i], guardInputs(learner, spec.mutates ?? {}), paths);
}

/** Runs one probe on an implementation as given (already guarded, or a reference). */
export function runOne(probe: Probe, impl: Impl, paths: StackPaths): Outcome {
  try {
    return { kind: "returned", outputs: serializeAll(probe.run(impl)) };
  } catch (e) {
    return classify(e, paths);
  }
}

// ---------------------------------------------------------------------------------------------
// The in-place guard.

interface Snap {
  path: string;
  array: Float64Array | number[];
  copy: number[];
  shape?: { of: number[]; was: number[] };
}

const plain = (v: object) => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** The arrays reachable from `v` (through tuples and plain dictionaries), copied. */
function snapshot(v: unknown, path: string, out: Snap[], depth = 0, seen = new Set<unknown>()) {
  if (typeof v !== "object" || v === null || seen.has(v) || depth > 4) return;
  seen.add(v);
  if (isNd(v)) {
    out.push({
      path,
      array: v.data,
      copy: [...v.data],
      shape: { of: v.shape as number[], was: [...v.shape] },
    });
  } else if (v instanceof Float64Array) {
    out.push({ path, array: v, copy: [...v] });
  } else if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "number")) out.push({ path, array: v, copy: [...v] });
    else v.forEach((x, i) => snapshot(x, `${path}[${i}]`, out, depth + 1, seen));
  } else if (plain(v)) {
    for (const [k, x] of Object.entries(v)) snapshot(x, `${path}.${k}`, out, depth + 1, seen);
  }
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6));

function firstChange(snaps: Snap[]): string | undefined {
  for (const s of snaps) {
    if (s.shape && s.shape.of.join() !== s.shape.was.join()) {
      return `${s.path} in place (its shape was (${s.shape.was.join(", ")}), now (${
        s.shape.of.join(", ")
      }))`;
    }
    if (s.array.length !== s.copy.length) {
      return `${s.path} in place (its length was ${s.copy.length}, now ${s.array.length})`;
    }
    for (let i = 0; i < s.copy.length; i++) {
      if (!Object.is(s.array[i], s.copy[i])) {
        const count = s.copy.filter((v, j) => !Object.is(s.array[j], v)).length;
        return `${s.path} in place (entry ${i} was ${fmt(s.copy[i])}, now ${fmt(s.array[i])}` +
          (count > 1 ? `; ${count} of ${s.copy.length} entries changed)` : ")");
      }
    }
  }
  return undefined;
}

/** The parameter names of a function, read from its source text (`argument 2` if unreadable). */
export function parameterNames(f: (...a: never[]) => unknown): string[] {
  const src = Function.prototype.toString.call(f);
  const open = src.indexOf("(");
  if (open < 0) return [];
  let depth = 0, end = open;
  for (let i = open; i < src.length; i++) {
    if ("([{".includes(src[i])) depth++;
    else if (")]}".includes(src[i]) && --depth === 0) {
      end = i;
      break;
    }
  }
  const names: string[] = [];
  let cur = "", d = 0;
  for (const ch of src.slice(open + 1, end) + ",") {
    if ("([{".includes(ch)) d++;
    if (")]}".includes(ch)) d--;
    if (ch === "," && d === 0) {
      const m = cur.trim().match(/^(?:\.\.\.)?([A-Za-z_$][\w$]*)/);
      names.push(m ? m[1] : "");
      cur = "";
    } else cur += ch;
  }
  return names;
}

function guardFunction<F extends (...a: unknown[]) => unknown>(
  f: F,
  name: string,
  allowed: number[],
  call: (args: unknown[]) => unknown,
): (...a: unknown[]) => unknown {
  let names: string[] | undefined;
  return function (...args: unknown[]) {
    names ??= parameterNames(f);
    const snaps: Snap[] = [];
    args.forEach((a, i) => {
      if (!allowed.includes(i)) snapshot(a, names![i] || `argument ${i + 1}`, snaps);
    });
    const result = call(args);
    const changed = firstChange(snaps);
    if (changed) {
      throw new ChangedInput(
        `${name} changed its argument ${changed}: leave the inputs as they were and make new ` +
          "arrays (the caller uses them again)",
      );
    }
    return result;
  };
}

const isClass = (f: unknown) =>
  typeof f === "function" && /^class\b/.test(Function.prototype.toString.call(f));

/**
 * The learner's exports with every function (and every method of every exported class)
 * checked for inputs changed in place; `mutates` lists the accumulators by function name and
 * argument index (`{ dlstm: [5] }`, a method as `"RNNCell.backward"`).
 */
export function guardInputs(impl: Impl, mutates: Record<string, number[]>): Impl {
  const out: Impl = {};
  for (const [k, v] of Object.entries(impl)) {
    if (isClass(v)) out[k] = guardClass(v, k, mutates);
    else if (typeof v === "function") {
      out[k] = guardFunction(v, k, mutates[k] ?? [], (args) => v(...args));
    } else out[k] = v;
  }
  return out;
}

function guardClass(
  C: new (...a: unknown[]) => object,
  name: string,
  mutates: Record<string, number[]>,
) {
  return new Proxy(C, {
    construct(target, args) {
      const instance = Reflect.construct(target, args) as Record<string | symbol, unknown>;
      const methods = new Map<string | symbol, unknown>();
      return new Proxy(instance, {
        get(t, key) {
          const v = Reflect.get(t, key, t);
          if (typeof v !== "function" || typeof key !== "string" || key === "constructor") {
            return v;
          }
          if (!methods.has(key)) {
            const m = v as (...a: unknown[]) => unknown;
            const full = `${name}.${key}`;
            methods.set(key, guardFunction(m, full, mutates[full] ?? [], (a) => m.apply(t, a)));
          }
          return methods.get(key);
        },
        set: (t, key, value) => Reflect.set(t, key, value, t),
      });
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Errors nobody awaited.

/** An error raised outside any call the grader made (a rejected promise nobody awaited). */
export interface AsyncError {
  name: string;
  message: string;
  where?: string;
}

/**
 * Starts collecting the errors of the learner's code that no call returns: unhandled promise
 * rejections and errors thrown from timers (`unhandledrejection` and `error` events, in Deno as
 * in a Worker). They are prevented from ending the run, and reported by {@link settle}.
 */
export function watchAsyncErrors(paths: StackPaths): { take(): AsyncError[] } {
  let seen: AsyncError[] = [];
  const note = (reason: unknown) => {
    const o = classify(reason, paths);
    seen.push(
      o.kind === "threw"
        ? { name: o.name, message: o.message, where: o.where }
        : { name: "Error", message: "message" in o ? String(o.message) : o.kind },
    );
  };
  const g = globalThis as unknown as {
    addEventListener(
      type: string,
      f: (e: Event & { reason?: unknown; error?: unknown }) => void,
    ): void;
  };
  g.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    note(e.reason);
  });
  g.addEventListener("error", (e) => {
    e.preventDefault();
    note(e.error);
  });
  return {
    take() {
      const out = seen;
      seen = [];
      return out;
    },
  };
}

/** Lets pending promise jobs and timers of the learner's code run (one macrotask). */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** An outcome, unless the learner's code also raised errors nobody awaited: then those. */
export function withAsyncErrors(o: Outcome, errors: AsyncError[]): Outcome {
  if (!errors.length || o.kind === "threw" || o.kind === "not_implemented") return o;
  const e = errors[0];
  return {
    kind: "threw",
    name: e.name,
    message: `${e.message} (raised by a promise or timer nobody awaited${
      errors.length > 1 ? `; ${errors.length} such errors` : ""
    })`,
    where: e.where,
  };
}
