/**
 * The stack's own end-to-end suites (config `harness:suites`; the seed's Phase 2): commands such as a
 * bash `test_api.sh` or `python3 -m pytest` that the runner starts after the replays, in the same
 * run, with the stack's endpoints in their environment. The Pulumi program hands the validated list
 * to the runner as JSON in HARNESS_SUITES and exports it as the `suites` output. One checker serves
 * both the config parser (program/config/parse.ts, which adds the filesystem checks) and the runner.
 */
import { isAbsolute } from "node:path";
import { z } from "zod";
import { describe, documented, errorMap, integerIn, problemsOf } from "./problems";

export const SUITES_ENV = "HARNESS_SUITES";

export interface SuiteSpec {
  /** Safe as a file name and unique: names the suite in every report. */
  name: string;
  /** Run with `bash -c` in `cwd`, in its own process group. */
  command: string;
  /** Working directory: relative to the repository root (the harness checkout), or absolute. */
  cwd: string;
  timeoutSeconds: number;
  /**
   * The JUnit file(s) the suite writes: a path or glob relative to `cwd`, deleted before the suite
   * starts. `${HARNESS_STACK}` is replaced by the stack name (two stacks, one checkout).
   */
  junit?: string;
}

/** Suites are whole test runs, not single replays: a longer default than a replay's 120 s. */
export const DEFAULT_SUITE_TIMEOUT_SECONDS = 600;
export const MAX_SUITE_TIMEOUT_SECONDS = 86_400;
export const SUITE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The one placeholder of `junit`. */
export const JUNIT_STACK_PLACEHOLDER = "${HARNESS_STACK}";

export interface SuiteProblem {
  /** Relative key path, e.g. `[1].cwd`. */
  path: string;
  problem: string;
  fix: string;
}

export interface SuitesOptions {
  /** Whether an absolute `cwd` is accepted (the runner's contract: yes; the stack config: no, it stays portable). */
  absoluteCwd: boolean;
  /** What is wrong with a well-formed cwd (e.g. it does not exist), if anything. */
  cwdProblem?: (cwd: string) => string | undefined;
}

const hasParentSegment = (path: string) => path.split(/[\\/]+/).includes("..");

/** What is wrong with a `junit` path or glob, if anything. */
function junitProblem(junit: string): string | undefined {
  if (junit.trim() === "") return `must be a file path or glob, got ${describe(junit)}`;
  if (isAbsolute(junit)) return `"${junit}" is absolute`;
  if (hasParentSegment(junit))
    return `"${junit}" leaves the suite's cwd (..): the files it matches are deleted before the suite starts`;
  if (junit.replaceAll(JUNIT_STACK_PLACEHOLDER, "").includes("$"))
    return `"${junit}" holds a "$" other than ${JUNIT_STACK_PLACEHOLDER}, the only placeholder replaced`;
  return undefined;
}

/**
 * The suites as a schema: each key's check, default and fix; duplicate names across the list. The
 * options make the one difference between the stack config and the runner's contract (absolute
 * cwds), and let the config add its filesystem check.
 */
export function suitesSchema(options: SuitesOptions): z.ZodType<SuiteSpec[]> {
  const nameError = (i: { input?: unknown }) =>
    i.input === undefined
      ? "is required"
      : `${describe(i.input)} is not a valid suite name (a letter or digit first, then letters, digits, . _ -; at most 64 characters)`;
  const commandError = (i: { input?: unknown }) =>
    i.input === undefined ? "is required" : `must be a non-empty shell command, got ${describe(i.input)}`;
  const cwdError = (i: { input?: unknown }) => `must be a directory path, got ${describe(i.input)}`;
  const suite = documented(
    z.strictObject(
      {
        name: documented(z.string({ error: nameError }).regex(SUITE_NAME_PATTERN, { error: nameError }), {
          fix: `name it like "api" or "e2e-pytest": it names the suite's output file and its reports`,
        }),
        command: documented(
          z.string({ error: commandError }).refine((c) => c.trim() !== "", { error: commandError }),
          {
            fix: `e.g. "bash test_api.sh" or "python3 -m pytest --junitxml=junit.xml" (run with bash -c in cwd)`,
          },
        ),
        cwd: documented(
          z
            .string({ error: cwdError })
            .refine((c) => c.trim() !== "", { error: cwdError })
            .superRefine((cwd, ctx) => {
              if (!options.absoluteCwd && isAbsolute(cwd)) {
                ctx.addIssue({
                  code: "custom",
                  message: `"${cwd}" is absolute; the stack config stays portable with paths relative to the repository root`,
                  params: {
                    fix: "write it relative to the repository root (e.g. tests/e2e, or ../service/tests/e2e for a sibling checkout)",
                  },
                });
                return;
              }
              const problem = options.cwdProblem?.(cwd);
              if (problem !== undefined)
                ctx.addIssue({
                  code: "custom",
                  message: problem,
                  params: {
                    fix: "point cwd at the folder the suite runs in, relative to the repository root (omit it for the root)",
                  },
                });
            })
            .default("."),
          { fix: "omit it for the repository root, or give a folder relative to it" },
        ),
        timeoutSeconds: documented(
          integerIn(
            1,
            MAX_SUITE_TIMEOUT_SECONDS,
            `must be a positive whole number of seconds (at most ${MAX_SUITE_TIMEOUT_SECONDS})`,
          ).default(DEFAULT_SUITE_TIMEOUT_SECONDS),
          {
            fix: `omit it for ${DEFAULT_SUITE_TIMEOUT_SECONDS}, or set the longest the whole suite may take, e.g. 300`,
          },
        ),
        junit: documented(
          z
            .string({ error: (i) => `must be a file path or glob, got ${describe(i.input)}` })
            .superRefine((junit, ctx) => {
              const problem = junitProblem(junit);
              if (problem) ctx.addIssue({ code: "custom", message: problem });
            })
            .optional(),
          {
            fix: `give the JUnit file the suite writes relative to its cwd (e.g. junit.xml, reports/*.xml, .junit/${JUNIT_STACK_PLACEHOLDER}.xml); set cwd higher up if it lies outside`,
          },
        ),
      },
      {
        error: (i) =>
          i.code === "invalid_type"
            ? `must be an object like {name: api, command: "bash test_api.sh"}, got ${describe(i.input)}`
            : undefined,
      },
    ),
    { fix: "write each suite as {name, command, cwd?, timeoutSeconds?, junit?}" },
  );
  return documented(
    z
      .array(suite, {
        error: (i) =>
          `must be a list of {name, command, cwd?, timeoutSeconds?, junit?}, got ${describe(i.input)}`,
      })
      .superRefine(
        (list, ctx) => {
          // Also when an entry is wrong elsewhere: every problem at once.
          const seen = new Map<string, number>();
          if (!Array.isArray(list)) return;
          list.forEach((entry, i) => {
            const name = (entry as { name?: unknown } | null)?.name;
            if (typeof name !== "string" || !SUITE_NAME_PATTERN.test(name)) return;
            if (seen.has(name)) {
              ctx.addIssue({
                code: "custom",
                path: [i, "name"],
                message: `duplicate suite name "${name}" (also [${seen.get(name)}])`,
                params: { fix: "give every suite a distinct name" },
              });
            } else seen.set(name, i);
          });
        },
        { when: () => true },
      ),
    { fix: "e.g. [{name: api, command: bash test_api.sh, cwd: tests/e2e}]" },
  ) as unknown as z.ZodType<SuiteSpec[]>;
}

/** Checks a decoded list of suites (absent: none); every problem is listed with its fix. */
export function checkSuites(
  value: unknown,
  options: SuitesOptions,
): { suites: SuiteSpec[]; problems: SuiteProblem[] } {
  if (value === undefined || value === null) return { suites: [], problems: [] };
  const schema = suitesSchema(options);
  const parsed = schema.safeParse(value, { error: errorMap });
  if (parsed.success) return { suites: parsed.data, problems: [] };
  return { suites: [], problems: problemsOf(schema, parsed.error) };
}

/** The suite's JUnit path or glob for a stack (its placeholder replaced). */
export function junitPattern(junit: string, stack: string): string {
  return junit.replaceAll(JUNIT_STACK_PLACEHOLDER, stack);
}

/** Reads and checks HARNESS_SUITES (unset or empty: no suites); throws a message that says what is wrong. */
export function readSuites(env: NodeJS.ProcessEnv = process.env): SuiteSpec[] {
  const raw = env[SUITES_ENV];
  if (raw === undefined || raw.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(
      `${SUITES_ENV} is not valid JSON (${(error as Error).message}): set it to a JSON list such as [{"name":"api","command":"bash test_api.sh","cwd":"tests/e2e"}], or unset it`,
    );
  }
  const { suites, problems } = checkSuites(parsed, { absoluteCwd: true });
  if (problems.length > 0) {
    throw new Error(
      `${SUITES_ENV} is invalid:\n${problems.map((p) => `  - ${SUITES_ENV}${p.path}: ${p.problem}\n    fix: ${p.fix}`).join("\n")}`,
    );
  }
  return suites;
}
