/**
 * `deno task test:practice`: the practice panel of every exercise, in Debian's Chromium (through
 * `npm:puppeteer-core`), against the command line's grader.
 *
 * Serves the built book (`out/book/`, as `deno task book` writes it with its practice plugin;
 * built first with `deno task book --only 1` when it is not there, or with `--rebuild`) on
 * 127.0.0.1. Every exercise page of the book (`exercise-NN.html`, found by its number: exercise
 * 10 is the eighth) must belong to an exercise of the grader, and each is tested:
 * 1. the committed stub, run in the page, gives the same result as `deno task exercise N --json`
 *    (compared as data: the grader's `ExerciseResult` from the page and from the command line,
 *    at the page's seed; every field equal, except that a number in a message may differ in its
 *    last printed digit — see {@link sameNumber} — and a tolerance the gradient policy measured
 *    from rounding noise by the policy's own 15 % — see {@link measured});
 * 2. the reference solution (`exercises/_solutions.ts` as the exercise file) passes every check
 *    and equals `deno task exercise N --solution --json`;
 * 3. every file of the grader's committed set (`tools/grader/wrong/exNN/`: the wrong solutions
 *    and the controls; their `../../../../lib/` imports read as the exercise folder's `../lib/`)
 *    gets the same result as the command line's grader (`grade` on the file, which `deno task
 *    exercise` runs), the file named in "(at …)" aside;
 * 4. an infinite loop in the exercise's first function is stopped (a 1 s limit, passed through
 *    the test hook; exercise 1 also with the page's own limit), the function named as not
 *    returning, and the page answers while the worker spins;
 * 5. a file that throws while loading is reported on every check with its line, as the command
 *    line reports it; a syntax error is reported with its line;
 * 6. a reload keeps the code.
 * Once: Reset asks and Undo brings the code back; Download saves `NN_slug.ts` with the code; Open
 * a file loads one; the reading guide shows each exercise's state; the learner's code cannot reach the
 * network (`fetch` refused in the learner's terms; a module import from another origin, the
 * page's own `fetch` and a worker's `fetch` all blocked by the Content-Security-Policy, and a
 * canary server sees no request); the page's own scripts failing (the grader's worker script
 * missing, with a syntax error, throwing at load, or failing for the learner's worker only; a
 * bundled library module missing) are reported in the panel in the learner's terms, and the next
 * run works once they are served again ({@link brokenScriptChecks}); no console error on any page
 * except those two phases provoke on purpose. Screenshots at 1280 and 390 px go to
 * `out/browser/practice_*.png`.
 *
 * The command line grades ahead, at the fixed seed, while Chromium runs the page
 * ({@link planExercise}); the summary says how long each took.
 *
 * Skips (exit 0) when Chromium is missing. `--only 1,3` limits the exercises; `--three` compares
 * only the first three wrong solutions of each exercise that expect to be rejected (a quick run);
 * `--jobs K` lets the command line grade K files at once (default 1); `--seed S` makes every run
 * in the page draw its random cases from S (default 20261207; `fresh`: a new seed per run, as for
 * a learner; a failure names the seed); `--verbose` prints progress. Ends with `N passed, M
 * failed`; exit 1 on a failure.
 *
 * @module
 */

import { type Browser, CHROMIUM, launchChromium, type Page } from "../../tools/chromium.ts";
import type { ExerciseResult, ExerciseSpec } from "../../tools/grader/mod.ts";
import { grade } from "../../tools/grader/run_child.ts";
import { keys } from "../../tools/book/practice/storage.ts";
import { EXERCISES } from "../../tools/grader/exercises.ts";

const ROOT = new URL("../../", import.meta.url);
const SHOTS = new URL("out/browser/", ROOT);
const BOOK = new URL("out/book/", ROOT);

/** Is there a built book with the practice assets (CI builds it in the step before)? */
function builtBook(): boolean {
  try {
    Deno.statSync(new URL("exercise-01.html", BOOK));
    Deno.statSync(new URL("practice/worker.js", BOOK));
    return true;
  } catch {
    return false;
  }
}
let verbose = false;
const note = (m: string) =>
  verbose && console.error(`  [${new Date().toISOString().slice(11, 19)}] ${m}`);

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  png: "image/png",
};

/**
 * What the server does instead of serving a file (`/practice/worker.js` → a 404, or a broken
 * script): the page's own scripts failing, for {@link brokenScriptChecks}. Given the file's
 * bytes and how many times it was asked for.
 */
type Breakage = (file: Uint8Array<ArrayBuffer>, request: number) => Response | undefined;

/** A static server for `dir` on 127.0.0.1 (`break_` makes a path fail; nothing is cached). */
function serve(dir: string) {
  const broken = new Map<string, { f: Breakage; requests: number }>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.includes("..")) return new Response("no", { status: 400 });
    const ext = path.split(".").pop()!;
    const headers = {
      "content-type": TYPES[ext] ?? "application/octet-stream",
      "cache-control": "no-store",
    };
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = await Deno.readFile(dir + path);
    } catch {
      return new Response("not found", { status: 404, headers });
    }
    const b = broken.get(path);
    if (b) {
      const instead = b.f(body, ++b.requests);
      if (instead) return instead;
    }
    return new Response(body, { headers });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    break_: (path: string, f: Breakage) => broken.set(path, { f, requests: 0 }),
    mend: () => broken.clear(),
    stop: () => server.shutdown(),
  };
}

/** A server that counts every request: the learner's code must never reach it. */
function canary() {
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    hits++;
    return new Response("export const leaked = true;", {
      headers: { "content-type": "text/javascript", "access-control-allow-origin": "*" },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    hits: () => hits,
    stop: () => server.shutdown(),
  };
}

/**
 * The command line's result for exercise `n` (`deno task exercise N --json [--solution]`), with
 * the page's seed of random cases (`--seed S`).
 */
async function cli(n: number, solution: boolean, seed?: number): Promise<ExerciseResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "task",
      "--quiet",
      "exercise",
      String(n),
      "--json",
      ...(solution ? ["--solution"] : []),
      ...(seed !== undefined ? ["--seed", String(seed)] : []),
    ],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** The command line's grader (`grade`, as `deno task exercise` runs it) on `code` as a file. */
async function cliOn(
  spec: ExerciseSpec,
  code: string,
  seed: number | undefined,
  tag: string,
): Promise<ExerciseResult> {
  const tmp = new URL(`exercises/.practice_${spec.slug}_${tag}.ts`, ROOT);
  Deno.writeTextFileSync(tmp, code);
  try {
    return await grade(spec, tmp.href, { seed });
  } finally {
    Deno.removeSync(tmp);
  }
}

/**
 * The command line's gradings, at most {@link cliJobs} at once (`--jobs K`, default 1), in the
 * order asked. With a fixed seed every exercise's are asked for before the first page runs
 * ({@link planExercise}), so the command line grades ahead while Chromium runs the page: two
 * processes, one core each, instead of one after the other.
 */
let cliJobs = 1;
let cliRunning = 0;
const cliWaiting: (() => void)[] = [];
/** Wall-clock seconds spent in the page's runs and in the command line's gradings. */
const spent = { page: 0, cli: 0 };

function limited<T>(f: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const start = () => {
      cliRunning++;
      const t0 = performance.now();
      f().then(resolve, reject).finally(() => {
        spent.cli += (performance.now() - t0) / 1000;
        cliRunning--;
        cliWaiting.shift()?.();
      });
    };
    if (cliRunning < cliJobs) start();
    else cliWaiting.push(start);
  });
}

/** Every command-line result an exercise's checks compare with, by name, as a function of the seed. */
function cliTasks(n: number): Map<string, (seed?: number) => Promise<ExerciseResult>> {
  const spec = EXERCISES.find((e) => e.number === n)!;
  const stub = Deno.readTextFileSync(new URL(`exercises/${spec.slug}.ts`, ROOT));
  const tasks = new Map<string, (seed?: number) => Promise<ExerciseResult>>([
    ["stub", (seed) => cli(n, false, seed)],
    ["solution", (seed) => cli(n, true, seed)],
    ["empty", (seed) => cliOn(spec, "", seed, "empty")],
    ["throws", (seed) => cliOn(spec, throwingAtLoad(stub).code, seed, "throws")],
  ]);
  for (const w of wrongSolutions(n, allWrong)) {
    tasks.set(`wrong:${w.path}`, (seed) => cliOnWrong(spec, w, seed));
  }
  return tasks;
}

/** Command-line results asked for ahead, at the fixed seed: `N:name` → result. */
const planned = new Map<string, Promise<ExerciseResult>>();

/** Asks the command line, ahead, for every result exercise `n`'s checks will compare with. */
function planExercise(n: number) {
  if (fixedSeed === undefined) return; // the page draws the seed: known only after its run
  for (const [name, task] of cliTasks(n)) {
    const p = limited(() => task(fixedSeed));
    p.catch(() => {}); // awaited (and its failure reported) by the check that needs it
    planned.set(`${n}:${name}`, p);
  }
}

/** The command line's result `name` of exercise `n` at `seed` (asked ahead when it could be). */
function cliResult(n: number, name: string, seed: number | undefined): Promise<ExerciseResult> {
  const ahead = planned.get(`${n}:${name}`);
  if (ahead && seed === fixedSeed) return ahead;
  return limited(() => cliTasks(n).get(name)!(seed));
}

/** The stub with a `throw` before its first export: the file throws while it loads. */
function throwingAtLoad(stub: string): { code: string; at: number } {
  const lines = stub.split("\n");
  const at = lines.findIndex((l) => l.startsWith("export ")) + 1;
  const code = [
    ...lines.slice(0, at - 1),
    `throw new RangeError("broken at load");`,
    ...lines.slice(at - 1),
  ].join("\n");
  return { code, at };
}

const NUMBER = /-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi;

/**
 * Two printed numbers within one unit of the last digit either printed. The browser's
 * `Math.exp`, `log`, `sin`, `log1p`, `expm1` and `atan` differ from Deno's in the last bit on a
 * few inputs in a thousand (measured: exp 85, log 32, sin 167 of 100 000 random inputs differ, by
 * 1 ulp; `tanh`, `sqrt`, `pow` never), so a roundoff-sized error or tolerance the grader prints
 * can differ in its last digit between the page and the command line.
 */
function sameNumber(a: string, b: string): boolean {
  if (a === b) return true;
  const unit = (s: string) => {
    const [mant, e] = s.toLowerCase().split("e");
    const decimals = mant.includes(".") ? mant.split(".")[1].length : 0;
    return 10 ** (-decimals + (e ? Number(e) : 0));
  };
  return Math.abs(Number(a) - Number(b)) <= Math.max(unit(a), unit(b)) * (1 + 1e-9);
}

/** The same check result: everything equal, the numbers in the message to their last digit. */
function sameTest(a: ExerciseResult["tests"][number], b: ExerciseResult["tests"][number]) {
  if (JSON.stringify(a) === JSON.stringify(b)) return true;
  const { message: ma, ...ra } = a;
  const { message: mb, ...rb } = b;
  if (JSON.stringify(ra) !== JSON.stringify(rb)) return false;
  if (ma.replace(NUMBER, "#") !== mb.replace(NUMBER, "#")) return false;
  const na = [...ma.matchAll(NUMBER)], nb = mb.match(NUMBER) ?? [];
  return na.every((m, i) => {
    if (sameNumber(m[0], nb[i])) return true;
    if (!measured(ma, m) || !withinPolicySpread(m[0], nb[i])) return false;
    const [x, y] = [Number(m[0]), Number(nb[i])];
    policySpread.count++;
    policySpread.max = Math.max(
      policySpread.max,
      Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)),
    );
    return true;
  });
}

/** Numbers that needed {@link withinPolicySpread} (more than a last digit apart): how many, the largest relative gap. */
const policySpread = { count: 0, max: 0 };

/**
 * A number the gradient policy measured rather than computed: a tolerance (2·truncation +
 * 8σ/h, σ the rounding noise it measures from the loss's own last bits) or a share of one. The
 * browser's `exp`/`log` change those last bits, so the measured noise, and with it the
 * tolerance, moves by a few per cent, not by a last digit.
 */
function measured(message: string, m: RegExpMatchArray): boolean {
  const before = message.slice(0, m.index), after = message.slice(m.index! + m[0].length);
  return /tolerance $/.test(before) || /^ % of its tolerance/.test(after);
}

/** Within the 15 % the policy's own test allows its noise measurement (tests/gradient_policy_test.ts). */
function withinPolicySpread(a: string, b: string): boolean {
  return Math.abs(Number(a) - Number(b)) <=
    0.15 * Math.max(Math.abs(Number(a)), Math.abs(Number(b)));
}

/** Page results whose numbers differed from the command line's in a last digit (noted). */
let lastDigitDifferences = 0;

/** Throws naming each check on which the page and the command line differ. */
function sameResult(pageResult: ExerciseResult, cliResult: ExerciseResult) {
  const { tests: ta, ...pageRest } = pageResult;
  const { tests: tb, ...cliRest } = cliResult;
  const lines: string[] = [];
  if (JSON.stringify(pageRest) !== JSON.stringify(cliRest)) {
    lines.push(`page ${JSON.stringify(pageRest)}, command line ${JSON.stringify(cliRest)}`);
  }
  for (let i = 0; i < Math.max(ta.length, tb.length); i++) {
    const [a, b] = [ta[i], tb[i]];
    if (a && b && sameTest(a, b)) {
      if (a.message !== b.message) lastDigitDifferences++;
      continue;
    }
    lines.push(`check ${i + 1} (${a?.function ?? b?.function}: ${a?.name ?? b?.name})`);
    lines.push(`  page:         ${a ? `${a.ok} ${a.outcome}: ${a.message}` : "(none)"}`);
    lines.push(`  command line: ${b ? `${b.ok} ${b.outcome}: ${b.message}` : "(none)"}`);
  }
  if (lines.length) throw new Error(`seed ${pageResult.seed}:\n${lines.join("\n")}`);
}

/** "(at some/file.ts:12)" → "(at …:12)": the page's file is exercises/NN_slug.ts. */
function sansFile(r: ExerciseResult): ExerciseResult {
  return {
    ...r,
    tests: r.tests.map((t) => ({
      ...t,
      message: t.message.replace(/\(at [^()]*?:(\d+)\)/g, "(at …:$1)"),
    })),
  };
}

interface Learner {
  run(
    limits?: { probeLimitMs?: number; loadLimitMs?: number; seed?: number },
  ): Promise<ExerciseResult>;
  code(): string;
  setCode(s: string): void;
}
declare const practice: Learner;

async function openExercise(page: Page, base: string, slug: string) {
  await page.goto(`${base}/exercise-${slug.slice(0, 2)}.html`, { waitUntil: "load" });
  await page.waitForSelector("section#practice .cm-editor", { timeout: 30_000 });
}

/**
 * `--seed S`: every run in the page draws its random cases from S — by default
 * {@link DEFAULT_SEED}, so a run of the suite is repeatable; `--seed fresh` lets the page draw
 * a fresh seed per run, as it does for a learner.
 */
let fixedSeed: number | undefined;
const DEFAULT_SEED = 20261207;

async function runCode(
  page: Page,
  code: string,
  limits: { probeLimitMs?: number; seed?: number } = {},
): Promise<ExerciseResult> {
  if (fixedSeed !== undefined) limits = { seed: fixedSeed, ...limits };
  const t0 = performance.now();
  try {
    return await page.evaluate(
      async (code, limits) => {
        practice.setCode(code);
        return await practice.run(limits);
      },
      code,
      limits,
    );
  } finally {
    spent.page += (performance.now() - t0) / 1000;
  }
}

/** How many checks each exercise's last run (a syntax error: none passed) had. */
const lastChecks = new Map<number, number>();

/** Compare every committed wrong solution and control (the default; `--three`: three per exercise). */
let allWrong = true;

/** The first three wrong solutions of an exercise that expect to be rejected (or all files). */
function wrongSolutions(n: number, all = false): { path: string; text: string }[] {
  const dir = new URL(`tools/grader/wrong/ex${String(n).padStart(2, "0")}/`, ROOT);
  let names: string[] = [];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((f) => f.endsWith(".ts")).sort();
  } catch { /* no committed set */ }
  return names
    .map((f) => ({ path: new URL(f, dir).pathname, text: Deno.readTextFileSync(new URL(f, dir)) }))
    .filter((w) => all || /^\/\/ expect: rejected/m.test(w.text))
    .slice(0, all ? undefined : 3);
}

/**
 * A wrong solution as the learner's exercise file: its imports as seen from `exercises/`. One
 * that takes exercise 1's functions from the reference solutions (exercise 2's do) imports the
 * learner's own `./01_rnn_cell.ts` instead, as the stub does; {@link runWrong} stores the
 * reference solutions there first, as a learner who solved exercise 1 has them.
 */
const asExerciseFile = (text: string) =>
  text.replaceAll(`"../../../../exercises/_solutions.ts"`, `"./${EXERCISES[0].slug}.ts"`)
    .replaceAll(`"../../../../`, `"../`);

/**
 * The command line's grader on a wrong solution, as the page ran it: one that takes exercise 1
 * from the reference solutions is graded as the learner's file beside an exercise 1 file holding
 * them (in a temporary folder under `exercises/`), so that exercise 1's frames count as the
 * learner's in both; any other is graded where it is committed.
 */
async function cliOnWrong(
  spec: ExerciseSpec,
  w: { path: string; text: string },
  seed: number | undefined,
): Promise<ExerciseResult> {
  if (!w.text.includes("exercises/_solutions.ts")) {
    return await grade(spec, new URL(`file://${w.path}`).href, { seed });
  }
  const tag = w.path.split("/").slice(-2).join("_").replace(/\.ts$/, "");
  const dir = new URL(`exercises/.practice_wrong_${tag}/`, ROOT);
  Deno.mkdirSync(dir, { recursive: true });
  try {
    const deeper = (t: string) => t.replaceAll(`"../lib/`, `"../../lib/`);
    const solution = Deno.readTextFileSync(new URL("exercises/_solutions.ts", ROOT));
    Deno.writeTextFileSync(new URL(`${EXERCISES[0].slug}.ts`, dir), deeper(solution));
    const file = new URL(`${spec.slug}.ts`, dir);
    Deno.writeTextFileSync(file, deeper(asExerciseFile(w.text)));
    return await grade(spec, file.href, { seed });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

async function runWrong(page: Page, text: string): Promise<ExerciseResult> {
  if (text.includes("exercises/_solutions.ts")) {
    const solution = Deno.readTextFileSync(new URL("exercises/_solutions.ts", ROOT));
    await page.evaluate(
      (k, v) => localStorage.setItem(k, v),
      keys.code(EXERCISES[0].slug),
      solution,
    );
  }
  return await runCode(page, asExerciseFile(text));
}

/** The stub with the body of `fn`'s stub replaced by a loop that never ends. */
function loopingStub(stub: string, fn: string): string {
  const name = fn.split(".").pop()!;
  const out = stub.replace(
    new RegExp(`throw new NotImplemented\\("${fn.replace(".", "\\.")}"\\);`),
    `while (true) { /* ${name} never returns */ }`,
  );
  if (out === stub) throw new Error(`no stub of ${fn} found`);
  return out;
}

/** Every dialog's question, accepted (the page asks before replacing the learner's code). */
const dialogs: string[] = [];
function acceptDialogs(page: Page) {
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.accept();
  });
}

type Check = { name: string; ok: boolean; detail?: string };

async function check(results: Check[], name: string, f: () => Promise<void> | void) {
  note(name);
  try {
    await f();
    results.push({ name, ok: true });
  } catch (e) {
    results.push({
      name,
      ok: false,
      detail: (e as Error).message.split("\n").slice(0, 30).join("\n"),
    });
  }
}

async function exerciseChecks(page: Page, base: string, n: number, results: Check[]) {
  const spec = EXERCISES.find((e) => e.number === n)!;
  const stub = Deno.readTextFileSync(new URL(`exercises/${spec.slug}.ts`, ROOT));
  const solution = Deno.readTextFileSync(new URL("exercises/_solutions.ts", ROOT));
  await openExercise(page, base, spec.slug);
  const tag = `exercise ${n}`;

  await check(results, `${tag}: the stub gives the command line's result`, async () => {
    const r = await runCode(page, stub);
    sameResult(r, await cliResult(n, "stub", r.seed));
  });
  await check(
    results,
    `${tag}: the reference solution passes, as on the command line`,
    async () => {
      const r = await runCode(page, solution);
      const bad = r.tests.filter((t) => !t.ok);
      if (bad.length) {
        throw new Error(
          bad.map((t) => `${t.function} ${t.name}: ${t.message}`).join("\n"),
        );
      }
      sameResult(r, await cliResult(n, "solution", r.seed));
    },
  );
  const wrong = wrongSolutions(n, allWrong);
  await check(results, `${tag}: three committed wrong solutions exist`, () => {
    const rejected = wrongSolutions(n).length;
    if (rejected < 3) throw new Error(`only ${rejected} in tools/grader/wrong/ex${n}`);
  });
  for (const w of wrong) {
    const name = w.path.split("/").slice(-2).join("/");
    await check(results, `${tag}: ${name} gets the command line's result`, async () => {
      const page_ = await runWrong(page, w.text);
      const cmd = await cliResult(n, `wrong:${w.path}`, page_.seed);
      sameResult(sansFile(page_), sansFile(cmd));
      // (Whether the grader catches it is the wrong-solution runner's question; here both agree.)
      if (page_.tests.every((t) => t.ok)) note(`  ${name}: accepted by both (a survivor)`);
    });
  }
  const first = spec.functions[0];
  await check(results, `${tag}: an endless loop in ${first} is stopped and named`, async () => {
    const t0 = Date.now();
    const pending = runCode(page, loopingStub(stub, first), { probeLimitMs: 1000 });
    await new Promise((r) => setTimeout(r, 300));
    // The page answers while the worker spins.
    const t1 = Date.now();
    await page.evaluate(() => document.querySelector(".practice-status")?.textContent);
    const answered = Date.now() - t1;
    if (answered > 500) throw new Error(`the page took ${answered} ms to answer during the run`);
    const r = await pending;
    const looped = r.tests.filter((t) => t.function === first);
    const stopped = looped.filter((t) => t.outcome === "timeout");
    if (!stopped.length) {
      throw new Error(`no check of ${first} was stopped: ${JSON.stringify(looped)}`);
    }
    const status = await page.$eval(".practice-status", (e) => e.textContent ?? "");
    if (!status.includes(`stopped: ${first}`)) throw new Error(`status line: ${status}`);
    const took = Date.now() - t0;
    note(`  ${stopped.length} check(s) stopped in ${took} ms`);
  });
  await check(results, `${tag}: an empty file gets the command line's result`, async () => {
    const r = await runCode(page, "");
    sameResult(sansFile(r), sansFile(await cliResult(n, "empty", r.seed)));
  });
  await check(results, `${tag}: a file that throws at load is reported with its line`, async () => {
    const { code, at } = throwingAtLoad(stub);
    const r = await runCode(page, code);
    // Every check failed to load; the first says why and where (the rest refer to it).
    const first = r.tests[0];
    if (
      r.tests.some((t) => t.outcome !== "load_failed") ||
      !first.message.includes("broken at load") ||
      !first.message.includes(`exercises/${spec.slug}.ts:${at}`)
    ) throw new Error(r.tests.map((t) => `${t.outcome}: ${t.message}`).join("\n"));
    // The command line says the same.
    sameResult(sansFile(r), sansFile(await cliResult(n, "throws", r.seed)));
  });
  await check(results, `${tag}: a syntax error is reported with its line`, async () => {
    const r = await runCode(page, stub + "\nexport const = 1;\n");
    lastChecks.set(n, r.tests.length);
    const line = stub.split("\n").length + 1;
    if (
      r.tests.some((t) => t.outcome !== "load_failed") ||
      !r.tests[0].message.includes(`exercises/${spec.slug}.ts:${line})`)
    ) throw new Error(r.tests.map((t) => `${t.outcome}: ${t.message}`).join("\n"));
  });
  await check(results, `${tag}: a reload keeps the code`, async () => {
    const mine = stub.replace("// YOUR CODE HERE", `// my attempt ${n}, ${Date.now()}`);
    await page.evaluate((c) => practice.setCode(c), mine);
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector("section#practice .cm-editor");
    const back = await page.evaluate(() => practice.code());
    if (back !== mine) throw new Error("the editor did not come back with the code");
  });
}

async function onceChecks(
  browser: Browser,
  page: Page,
  base: string,
  dir: string,
  canaryUrl: string,
  results: Check[],
  hits: () => number,
) {
  const spec = EXERCISES[0];
  const stub = Deno.readTextFileSync(new URL(`exercises/${spec.slug}.ts`, ROOT));
  await openExercise(page, base, spec.slug);

  await check(results, "the page's own limit stops a loop within it", async () => {
    const t0 = Date.now();
    const r = await runCode(page, loopingStub(stub, spec.functions[0]));
    const stopped = r.tests.filter((t) => t.outcome === "timeout");
    if (!stopped.length || !stopped[0].message.includes("within 5 s")) {
      throw new Error(JSON.stringify(r.tests.map((t) => t.message)));
    }
    const took = Date.now() - t0;
    if (took > stopped.length * 5000 + 15_000) throw new Error(`took ${took} ms`);
  });

  await check(results, "Stop ends a looping run at once, and the next run grades", async () => {
    const pending = page.evaluate(async (code) => {
      practice.setCode(code);
      return await practice.run();
    }, loopingStub(stub, spec.functions[0]));
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    await page.click("xpath/.//button[text()='Stop']");
    const r = await pending;
    const took = Date.now() - t0;
    const status = await page.$eval(".practice-status", (e) => e.textContent ?? "");
    if (r !== undefined || took > 1000 || !status.startsWith("Stopped after")) {
      throw new Error(`${took} ms; result ${JSON.stringify(r)?.slice(0, 100)}; status: ${status}`);
    }
    const hidden = await page.$eval(
      "xpath/.//button[text()='Stop']",
      (e) => (e as HTMLElement).hidden,
    );
    if (!hidden) throw new Error("the Stop button is still shown");
    const again = await runCode(page, stub);
    if (!again.tests.length) throw new Error("the next run gave no checks");
  });

  await check(results, "Reset asks first, and Undo brings the code back", async () => {
    const mine = stub.replace("// YOUR CODE HERE", "// kept through a reset");
    await page.evaluate((c) => practice.setCode(c), mine);
    dialogs.length = 0;
    await page.click("xpath/.//button[text()='Reset to the stub']");
    const asked = dialogs.join(" | ");
    if (!asked.includes("Undo")) throw new Error(`no question before the reset (${asked})`);
    if ((await page.evaluate(() => practice.code())) !== stub) throw new Error("not reset");
    await page.click("xpath/.//button[text()='Undo reset']");
    if ((await page.evaluate(() => practice.code())) !== mine) {
      throw new Error("undo lost the code");
    }
  });

  await check(
    results,
    "Download saves NN_slug.ts with the code; Open a file loads one",
    async () => {
      const downloads = `${dir}/downloads`;
      Deno.mkdirSync(downloads, { recursive: true });
      const cdp = await page.createCDPSession();
      await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
      const mine = stub.replace("// YOUR CODE HERE", "// downloaded");
      await page.evaluate((c) => practice.setCode(c), mine);
      await page.click("xpath/.//button[text()='Download']");
      const file = `${downloads}/${spec.slug}.ts`;
      for (let i = 0; i < 50; i++) {
        try {
          if (Deno.readTextFileSync(file) === mine) break;
        } catch { /* not yet */ }
        await new Promise((r) => setTimeout(r, 100));
      }
      if (Deno.readTextFileSync(file) !== mine) throw new Error("downloaded file differs");
      const other = `${dir}/mine.ts`;
      Deno.writeTextFileSync(other, stub.replace("// YOUR CODE HERE", "// opened from a file"));
      const [chooser] = await Promise.all([
        page.waitForFileChooser(),
        page.click("xpath/.//button[starts-with(text(), 'Open a file')]"),
      ]);
      await chooser.accept([other]);
      await page.waitForFunction(() => practice.code().includes("// opened from a file"), {
        timeout: 5000,
      });
    },
  );

  await check(
    results,
    "from file://, the page says to serve the book (module scripts are refused)",
    async () => {
      const p = await browser.newPage();
      try {
        await p.goto(`${BOOK.href}exercise-01.html`, { waitUntil: "load" });
        await p.waitForSelector(".practice-file-notice", { timeout: 5000 });
        const text = await p.$eval(".practice-file-notice", (e) => e.textContent ?? "");
        if (!text.includes("deno task book --serve")) throw new Error(text);
      } finally {
        await p.close();
      }
    },
  );

  await check(results, "the learner's code cannot reach the network", async () => {
    // A page of its own: the CSP refusals provoked here are console errors on purpose.
    page = await browser.newPage();
    acceptDialogs(page);
    await openExercise(page, base, spec.slug);
    const consoleErrors: string[] = [];
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    // fetch inside a function: refused at once, in the learner's terms, at their line.
    const lines = stub.split("\n");
    const at = lines.findIndex((l) => l.includes('throw new NotImplemented("rnn_cell_forward")'));
    lines[at] = `  fetch("${canaryUrl}/from-a-function"); throw new Error("fetch returned");`;
    const r = await runCode(page, lines.join("\n"));
    const t = r.tests.find((t) => t.function === "rnn_cell_forward")!;
    if (
      t.outcome !== "threw" || !t.message.includes("fetch is not available") ||
      !t.message.includes(`:${at + 1})`)
    ) {
      throw new Error(t.message);
    }
    // A module from another origin: blocked by script-src.
    const r2 = await runCode(page, `await import("${canaryUrl}/evil.js");\n` + stub);
    if (r2.tests[0].outcome !== "load_failed") throw new Error(r2.tests[0].message);
    // The page itself, and a worker from a blob (as the learner's), may not connect either.
    const pageFetch = await page.evaluate(async (u) => {
      try {
        await fetch(`${u}/from-the-page`);
        return "connected";
      } catch (e) {
        return String(e);
      }
    }, canaryUrl);
    const workerFetch = await page.evaluate((u) =>
      new Promise<string>((resolve) => {
        const src =
          `fetch("${u}/from-a-worker").then(() => postMessage("connected"), (e) => postMessage(String(e)))`;
        const w = new Worker(URL.createObjectURL(new Blob([src], { type: "text/javascript" })));
        w.onmessage = (e) => (resolve(e.data), w.terminate());
        setTimeout(() => resolve("no answer"), 5000);
      }), canaryUrl);
    if (pageFetch === "connected" || workerFetch === "connected") {
      throw new Error(`page: ${pageFetch}; worker: ${workerFetch}`);
    }
    await new Promise((r) => setTimeout(r, 300));
    if (hits() !== 0) throw new Error(`the canary server got ${hits()} request(s)`);
    const notCsp = consoleErrors.filter((e) =>
      !/Content Security Policy|Failed to fetch|net::ERR/i.test(e)
    );
    if (notCsp.length) {
      throw new Error(`console errors besides the CSP refusals: ${notCsp.join("; ")}`);
    }
    if (!consoleErrors.some((e) => /Content Security Policy/.test(e))) {
      throw new Error("no CSP refusal was logged: is the policy in force?");
    }
  });
}

/**
 * The page's own scripts failing (the bundled grader `worker.js` missing, with a syntax error,
 * throwing while it loads, or failing only for the learner's worker; the library module the
 * learner's file imports missing): each run is reported in the panel as the page's failure, in
 * the learner's terms — their code was not run, it is saved, reload, `deno task book`, `deno
 * task exercise N` — never as checks their file failed, and never swallowed. Once the scripts
 * are served again, the next run (a fresh worker) grades as usual. On a page of its own: the
 * failed loads are console errors on purpose.
 */
async function brokenScriptChecks(
  browser: Browser,
  server: ReturnType<typeof serve>,
  results: Check[],
) {
  const spec = EXERCISES[0];
  const stub = Deno.readTextFileSync(new URL(`exercises/${spec.slug}.ts`, ROOT));
  const js = (text: string) =>
    new Response(text, {
      headers: { "content-type": TYPES.js, "cache-control": "no-store" },
    });
  const notFound = () => new Response("not found", { status: 404 });
  const text = (b: Uint8Array<ArrayBuffer>) => new TextDecoder().decode(b);
  // The stub's imports of the library are used only as types, which stripping removes; the
  // reference solutions import it for real.
  const solution = Deno.readTextFileSync(new URL("exercises/_solutions.ts", ROOT));
  const cases: { what: string; path: string; f: Breakage; says?: string; code?: string }[] = [
    {
      what: "the grader's worker script is missing (404)",
      path: "/practice/worker.js",
      f: notFound,
    },
    {
      what: "the grader's worker script has a syntax error",
      path: "/practice/worker.js",
      f: (b) => js(text(b) + "\nexport const = 1;\n"),
    },
    {
      what: "the grader's worker script throws while it loads",
      path: "/practice/worker.js",
      f: (b) => js(`throw new Error("worker broken at load");\n` + text(b)),
      says: "worker broken at load",
    },
    {
      what: "the learner's worker alone cannot load the script",
      path: "/practice/worker.js",
      f: (_b, request) => request > 1 ? notFound() : undefined,
    },
    {
      what: "the library the learner's file imports is missing",
      path: "/practice/lib_nn_mod.js",
      f: notFound,
      says: "practice/lib_nn_mod.js",
      code: solution,
    },
  ];
  const page = await browser.newPage();
  acceptDialogs(page);
  try {
    for (const c of cases) {
      await check(results, `the page says so when ${c.what}`, async () => {
        server.mend();
        await openExercise(page, server.url, spec.slug);
        server.break_(c.path, c.f);
        const r = await runCode(page, c.code ?? stub);
        const panel = await page.$eval(
          "section#practice .practice-result",
          (e) => ({
            text: e.textContent ?? "",
            checks: e.querySelectorAll("li").length,
            failure: !!e.querySelector(".practice-page-failure"),
          }),
        );
        const status = await page.$eval(".practice-status", (e) => e.textContent ?? "");
        const wanted = [
          "Your code was not run",
          "not about your code",
          "Reload the page",
          "deno task book",
          `deno task exercise ${spec.number}`,
          ...(c.says ? [c.says] : []),
        ];
        const missing = wanted.filter((w) => !panel.text.includes(w));
        if (r !== undefined || !panel.failure || panel.checks || missing.length) {
          throw new Error(
            `result ${JSON.stringify(r)?.slice(0, 200)}; panel (${panel.checks} checks, ` +
              `missing ${JSON.stringify(missing)}): ${panel.text}; status: ${status}`,
          );
        }
        if (!status.startsWith("Not run")) throw new Error(`status line: ${status}`);
        // Served again, the next run's fresh workers grade as usual, without a reload.
        server.mend();
        const again = await runCode(page, c.code ?? stub);
        if (!again?.tests.length) throw new Error("the run after the repair gave no checks");
      });
    }
  } finally {
    server.mend();
    await page.close();
  }
}

async function main(args: string[]): Promise<number> {
  verbose = args.includes("--verbose");
  allWrong = !args.includes("--three");
  const jobsAt = args.indexOf("--jobs");
  if (jobsAt >= 0) cliJobs = Math.max(1, Number(args[jobsAt + 1]));
  const seedAt = args.indexOf("--seed");
  fixedSeed = seedAt < 0
    ? DEFAULT_SEED
    : args[seedAt + 1] === "fresh"
    ? undefined
    : Number(args[seedAt + 1]);
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0
    ? args[onlyAt + 1].split(",").map(Number)
    : EXERCISES.map((e) => e.number);
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    console.log(`practice_browser: skipped (no Chromium at ${CHROMIUM})`);
    return 0;
  }
  const dir = Deno.makeTempDirSync({ prefix: "practice_browser_" });
  const results: Check[] = [];
  let browser: Browser | undefined;
  if (args.includes("--rebuild") || !builtBook()) {
    note("building the book (deno task book --only 1: every exercise page, lesson 1)");
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "book", "--only", "1"],
      cwd: ROOT.pathname,
      stdout: "null",
      stderr: "inherit",
    }).output();
    if (!r.success) throw new Error("deno task book failed");
  }
  const server = serve(BOOK.pathname.replace(/\/$/, ""));
  const can = canary();
  try {
    browser = await launchChromium(`${dir}/chromium-profile`, { protocolTimeout: 300_000 });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(`${page.url()}: ${m.text()}`));
    page.on("pageerror", (e) => errors.push(`${page.url()}: ${(e as Error).message}`));
    acceptDialogs(page);

    await check(results, "every exercise page of the book is tested, found by its number", () => {
      const pages = [...Deno.readDirSync(BOOK)]
        .map((e) => e.name.match(/^exercise-(\d\d)\.html$/)?.[1])
        .filter((m): m is string => m !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      const specs = EXERCISES.map((e) => e.number);
      if (JSON.stringify(pages) !== JSON.stringify(specs)) {
        throw new Error(`pages ${pages.join(", ")}; the grader's exercises ${specs.join(", ")}`);
      }
      const untested = onlyAt < 0 ? specs.filter((n) => !only.includes(n)) : [];
      if (untested.length) throw new Error(`not tested: ${untested.join(", ")}`);
    });
    for (const n of only) planExercise(n);
    for (const n of only) await exerciseChecks(page, server.url, n, results);

    await check(results, "the index shows each exercise's state", async () => {
      await page.goto(`${server.url}/index.html`, { waitUntil: "load" });
      await page.waitForSelector(".exercises [data-practice-status]");
      const states = await page.$$eval(
        "[data-practice-status]",
        (es) => es.map((e) => [(e as HTMLElement).dataset.practiceStatus, e.textContent]),
      );
      const byslug = Object.fromEntries(states);
      for (const n of only) {
        const slug = EXERCISES.find((e) => e.number === n)!.slug;
        // The last run of each exercise was the syntax error: every check failed to load.
        if (byslug[slug] !== `0 of ${lastChecks.get(n)} checks passed`) {
          throw new Error(`${slug}: ${byslug[slug]}`);
        }
      }
      Deno.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS.pathname}practice_index.png` });
    });
    await check(results, "screenshots at 1280 and 390 px", async () => {
      Deno.mkdirSync(SHOTS, { recursive: true });
      await openExercise(page, server.url, EXERCISES[0].slug);
      await runWrong(page, wrongSolutions(1)[1]?.text ?? "");
      // The practice section (the page above it is the book's): the editor and a report.
      const shot = async (name: string) => {
        const section = await page.$("section#practice");
        await section!.screenshot({ path: `${SHOTS.pathname}${name}` });
      };
      await shot("practice_1280.png");
      await page.setViewport({ width: 390, height: 844 });
      await shot("practice_390.png");
      await page.setViewport({ width: 1280, height: 900 });
    });

    await onceChecks(browser, page, server.url, dir, can.url, results, can.hits);
    await brokenScriptChecks(browser, server, results);
    results.push({
      name: "no console errors",
      ok: !errors.length,
      detail: errors.join("\n") || undefined,
    });
  } finally {
    await browser?.close();
    await server.stop();
    await can.stop();
    Deno.removeSync(dir, { recursive: true });
  }
  for (const r of results) {
    console.log(
      `${r.ok ? "✓" : "✗"} ${r.name}${
        r.detail ? `\n    ${r.detail.replaceAll("\n", "\n    ")}` : ""
      }`,
    );
  }
  const failed = results.filter((r) => !r.ok).length;
  if (lastDigitDifferences) {
    console.log(
      `(${lastDigitDifferences} check(s) printed a number differing from the command line's in ` +
        `its last digit: the browser's Math.exp/log differ from Deno's by 1 ulp on rare inputs)`,
    );
  }
  if (policySpread.count) {
    console.log(
      `(${policySpread.count} measured tolerance(s) or share(s) of one differed by more than a ` +
        `last digit, at most ${(policySpread.max * 100).toFixed(1)} %: the policy's noise ` +
        `measurement reads the last bits those 1-ulp differences change)`,
    );
  }
  console.log(
    `page runs ${spent.page.toFixed(0)} s, command-line gradings ${spent.cli.toFixed(0)} s ` +
      `(${cliJobs} at a time, alongside the page)`,
  );
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
