/**
 * Test helper: runs `tools/lesson.ts` in a subprocess, as `deno task lesson` does, and
 * returns its exit code, stdout and stderr (and the parsed report for `--json`).
 */
import type { Report } from "../lib/course/lesson.ts";

const ROOT = new URL("../", import.meta.url);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the lesson runner with `args` as `deno task lesson` does: through the launcher, which
 * runs it with the lesson's own lockfile (`deps/`) and the permissions of deno.json's task.
 */
export async function runLessonCli(...args: string[]): Promise<RunResult> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "--allow-run", "tools/lesson_launch.ts", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
  const out = await cmd.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs lesson `n` with `--json` and returns its report; throws with stderr if it failed. */
export async function lessonReport(n: number): Promise<Report> {
  const r = await runLessonCli(String(n), "--json");
  if (r.code !== 0) {
    throw new Error(
      `lesson ${n} exited with ${r.code}:\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`,
    );
  }
  return JSON.parse(r.stdout) as Report;
}

/** The check named `name` in a report (fails loudly when missing). */
export function checkNamed(report: Report, name: string) {
  const c = report.checks.find((c) => c.name === name);
  if (!c) {
    throw new Error(
      `no check "${name}" in lesson ${report.lesson}; it has: ${
        report.checks.map((c) => c.name).join(", ")
      }`,
    );
  }
  return c;
}
