/**
 * Every exercise's grader spec, by number (host-independent). Adding an exercise is one spec
 * file `exNN.ts` and one line here.
 *
 * @module
 */

import type { ExerciseSpec } from "./spec.ts";
import { spec as ex01 } from "./ex01.ts";
import { spec as ex02 } from "./ex02.ts";
import { spec as ex03 } from "./ex03.ts";
import { spec as ex04 } from "./ex04.ts";
import { spec as ex05 } from "./ex05.ts";
import { spec as ex06 } from "./ex06.ts";
import { spec as ex07 } from "./ex07.ts";
import { spec as ex10 } from "./ex10.ts";

/** The exercises, in order. */
export const EXERCISES: ExerciseSpec[] = [ex01, ex02, ex03, ex04, ex05, ex06, ex07, ex10];

/** The learner's file of an exercise: `exercises/NN_slug.ts`. */
export function learnerUrl(spec: ExerciseSpec): string {
  return new URL(`../../exercises/${spec.slug}.ts`, import.meta.url).href;
}

/** The reference solutions, graded by `--solution`. */
export const SOLUTIONS_URL = new URL("../../exercises/_solutions.ts", import.meta.url).href;
