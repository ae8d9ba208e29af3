/**
 * The stack's own end-to-end suites (config `harness:suites`; the seed's Phase 2): commands such as a
 * bash `test_api.sh` or `python3 -m pytest` that the runner starts after the replays, in the same
 * run, with the stack's endpoints in their environment. The Pulumi program hands the validated list
 * to the runner as JSON in HARNESS_SUITES and exports it as the `suites` output. One checker serves
 * both the config parser (program/config/parse.ts, which adds the filesystem checks) and the runner.
 */
import { isAbsolute } from "node:path";

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

const KEYS = ["name", "command", "cwd", "timeoutSeconds", "junit"] as const;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

const hasParentSegment = (path: string) => path.split(/[\\/]+/).includes("..");

/**
 * Checks a decoded list of suites; every problem is listed with its fix. `absoluteCwd`: whether an
 * absolute `cwd` is accepted (the runner's contract: yes; the stack config: no, it stays portable).
 */
export function checkSuites(
  value: unknown,
  options: {
    absoluteCwd: boolean;
    /** What is wrong with a well-formed cwd (e.g. it does not exist), if anything. */
    cwdProblem?: (cwd: string) => string | undefined;
  },
): { suites: SuiteSpec[]; problems: SuiteProblem[] } {
  const problems: SuiteProblem[] = [];
  const add = (path: string, problem: string, fix: string) => problems.push({ path, problem, fix });
  if (value === undefined || value === null) return { suites: [], problems };
  if (!Array.isArray(value)) {
    add(
      "",
      `must be a list of {name, command, cwd?, timeoutSeconds?, junit?}, got ${describe(value)}`,
      "e.g. [{name: api, command: bash test_api.sh, cwd: tests/e2e}]",
    );
    return { suites: [], problems };
  }
  const suites: SuiteSpec[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry: unknown, i) => {
    const at = `[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      add(
        at,
        `must be an object like {name: api, command: "bash test_api.sh"}, got ${describe(entry)}`,
        "write each suite as {name, command, cwd?, timeoutSeconds?, junit?}",
      );
      return;
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!(KEYS as readonly string[]).includes(key))
        add(`${at}.${key}`, "unknown key", `remove it; known keys: ${KEYS.join(", ")}`);
    }
    let ok = true;
    const name = e.name;
    if (typeof name !== "string" || !SUITE_NAME_PATTERN.test(name)) {
      ok = false;
      add(
        `${at}.name`,
        name === undefined
          ? "is required"
          : `${describe(name)} is not a valid suite name (a letter or digit first, then letters, digits, . _ -; at most 64 characters)`,
        `name it like "api" or "e2e-pytest": it names the suite's output file and its reports`,
      );
    } else if (seen.has(name)) {
      ok = false;
      add(
        `${at}.name`,
        `duplicate suite name "${name}" (also [${seen.get(name)}])`,
        "give every suite a distinct name",
      );
    } else {
      seen.set(name, i);
    }
    if (typeof e.command !== "string" || e.command.trim() === "") {
      ok = false;
      add(
        `${at}.command`,
        e.command === undefined
          ? "is required"
          : `must be a non-empty shell command, got ${describe(e.command)}`,
        `e.g. "bash test_api.sh" or "python3 -m pytest --junitxml=junit.xml" (run with bash -c in cwd)`,
      );
    }
    let cwd = ".";
    let cwdOk = true;
    if (e.cwd !== undefined) {
      if (typeof e.cwd !== "string" || e.cwd.trim() === "") {
        cwdOk = false;
        add(
          `${at}.cwd`,
          `must be a directory path, got ${describe(e.cwd)}`,
          "omit it for the repository root, or give a folder relative to it",
        );
      } else if (!options.absoluteCwd && isAbsolute(e.cwd)) {
        cwdOk = false;
        add(
          `${at}.cwd`,
          `"${e.cwd}" is absolute; the stack config stays portable with paths relative to the repository root`,
          `write it relative to the repository root (e.g. tests/e2e, or ../service/tests/e2e for a sibling checkout)`,
        );
      } else {
        cwd = e.cwd;
      }
    }
    const cwdProblem = cwdOk ? options.cwdProblem?.(cwd) : undefined;
    if (cwdProblem !== undefined) {
      cwdOk = false;
      add(
        `${at}.cwd`,
        cwdProblem,
        "point cwd at the folder the suite runs in, relative to the repository root (omit it for the root)",
      );
    }
    let timeoutSeconds = DEFAULT_SUITE_TIMEOUT_SECONDS;
    if (e.timeoutSeconds !== undefined) {
      const n =
        typeof e.timeoutSeconds === "string" && e.timeoutSeconds.trim() !== ""
          ? Number(e.timeoutSeconds)
          : e.timeoutSeconds;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_SUITE_TIMEOUT_SECONDS) {
        ok = false;
        add(
          `${at}.timeoutSeconds`,
          `must be a positive whole number of seconds (at most ${MAX_SUITE_TIMEOUT_SECONDS}), got ${describe(e.timeoutSeconds)}`,
          `omit it for ${DEFAULT_SUITE_TIMEOUT_SECONDS}, or set the longest the whole suite may take, e.g. 300`,
        );
      } else {
        timeoutSeconds = n;
      }
    }
    let junit: string | undefined;
    if (e.junit !== undefined) {
      const problem =
        typeof e.junit !== "string" || e.junit.trim() === ""
          ? `must be a file path or glob, got ${describe(e.junit)}`
          : isAbsolute(e.junit)
            ? `"${e.junit}" is absolute`
            : hasParentSegment(e.junit)
              ? `"${e.junit}" leaves the suite's cwd (..): the files it matches are deleted before the suite starts`
              : e.junit.replaceAll(JUNIT_STACK_PLACEHOLDER, "").includes("$")
                ? `"${e.junit}" holds a "$" other than ${JUNIT_STACK_PLACEHOLDER}, the only placeholder replaced`
                : undefined;
      if (problem) {
        ok = false;
        add(
          `${at}.junit`,
          problem,
          `give the JUnit file the suite writes relative to its cwd (e.g. junit.xml, reports/*.xml, .junit/${JUNIT_STACK_PLACEHOLDER}.xml); set cwd higher up if it lies outside`,
        );
      } else {
        junit = e.junit as string;
      }
    }
    if (ok && cwdOk) {
      suites.push({
        name: name as string,
        command: e.command as string,
        cwd,
        timeoutSeconds,
        ...(junit === undefined ? {} : { junit }),
      });
    }
  });
  return { suites, problems };
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
