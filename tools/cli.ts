/**
 * The one command-line parser of the course's tasks (`deno task lesson`, `notebooks`,
 * `notebooks:run`, `mutants`, `bench`): Node's `parseArgs` (`node:util`, no dependency) in
 * strict mode, with `--help`/`-h` added to every command and its errors reworded for a person
 * ("unknown flag "--jsn"; valid flags: …"). A command states its flags once, with their help.
 *
 * ```ts
 * import { parseCommandLine, UsageError } from "./cli.ts";
 * import { deepEqual, throws } from "node:assert/strict";
 * const flags = { check: { type: "boolean", help: "compare, do not write" } } as const;
 * deepEqual(parseCommandLine(["--check"], flags).values.check, true);
 * throws(() => parseCommandLine(["--chek"], flags), UsageError);
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";

/** A usage mistake (its message says which), or `--help` (an empty message). */
export class UsageError extends Error {}

/** One flag: a switch (`boolean`) or a flag with a value (`string`), and its help line. */
export interface Flag {
  type: "boolean" | "string";
  short?: string;
  help: string;
}

type Values<F extends Record<string, Flag>> = {
  [K in keyof F]?: F[K]["type"] extends "string" ? string : boolean;
};

/**
 * Parses `args` against `flags` (strict: an unknown flag, a missing value or, unless
 * `positionals` allows them, a bare argument is a {@link UsageError}). `--help`/`-h` throws a
 * `UsageError` with an empty message. Inputs: the arguments, the flags, how many bare
 * arguments are allowed (default 0). Returns: the flags' values and the bare arguments.
 */
export function parseCommandLine<F extends Record<string, Flag>>(
  args: readonly string[],
  flags: F,
  options: { positionals?: number } = {},
): { values: Values<F>; positionals: string[] } {
  const max = options.positionals ?? 0;
  const spec: Record<string, { type: "boolean" | "string"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, f] of Object.entries(flags)) {
    spec[name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  }
  const valid = [...Object.keys(flags), "help"].map((n) => `--${n}`).join(", ");
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: spec, strict: true, allowPositionals: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const msg = (e as Error).message;
    const name = msg.match(/(--[A-Za-z][\w-]*)/)?.[1] ?? msg.match(/'(-[^' ,]+)/)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new UsageError(`unknown flag "${name}"; valid flags: ${valid}`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const flag = Object.entries(flags).find(([n, f]) =>
        `--${n}` === name || `-${f.short}` === name
      );
      throw new UsageError(
        flag?.[1].type === "string"
          ? `flag ${name} needs a value (${flag[1].help})`
          : `flag ${name} takes no value`,
      );
    }
    throw new UsageError((e as Error).message);
  }
  if ((parsed.values as Record<string, unknown>).help) throw new UsageError("");
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max).map((p) => `"${p}"`).join(" ");
    throw new UsageError(
      max === 0 ? `unexpected argument ${extra}` : `too many arguments: ${extra} (at most ${max})`,
    );
  }
  const { help: _help, ...values } = parsed.values as Record<string, unknown>;
  return { values: values as Values<F>, positionals: parsed.positionals };
}

/** The flags' help lines, one a line, aligned: for a command's usage text. */
export function flagHelp(flags: Record<string, Flag>): string {
  const rows = Object.entries(flags).map(([n, f]) => [
    `--${n}${f.type === "string" ? " <value>" : ""}${f.short ? `, -${f.short}` : ""}`,
    f.help,
  ]);
  rows.push(["--help, -h", "show this help"]);
  const w = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(w)}  ${h}`).join("\n");
}

/**
 * Runs a command's `main` and turns a {@link UsageError} into the error and the usage on
 * stderr, exit code 2 (0 for `--help`). Returns: the exit code.
 */
export async function runCommand(
  usage: string,
  main: () => Promise<number> | number,
): Promise<number> {
  try {
    return await main();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) console.error(`error: ${e.message}\n`);
    console.error(usage);
    return e.message ? 2 : 0;
  }
}

/**
 * {@link parseCommandLine} for a script whose body runs at the top level: on a
 * {@link UsageError} it prints the error and the usage to stderr and exits (2; 0 for `--help`).
 */
export function parseOrExit<F extends Record<string, Flag>>(
  args: readonly string[],
  flags: F,
  usage: string,
  options: { positionals?: number } = {},
): { values: Values<F>; positionals: string[] } {
  try {
    return parseCommandLine(args, flags, options);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) console.error(`error: ${e.message}\n`);
    console.error(usage);
    Deno.exit(e.message ? 2 : 0);
  }
}
