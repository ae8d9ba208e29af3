/**
 * Turns a zod parse failure into the harness's kind of error: every problem at once, each at its key
 * path (`harness:tenants[1].name`), unknown keys with "did you mean", and a fix for each, taken from
 * the schema itself (the `fix` of the nearest documented key on the path, or one the check gave).
 * Shared by the stack config (program/config/) and the runner's JSON contracts (target, seed, summary).
 */
import { z } from "zod";

/** What the schema says about a key: its docs (generated tables) and how to fix a bad value. */
export interface KeyDoc {
  /** One line: the README's table. */
  summary?: string;
  /** The full meaning: docs/pulumi.md's table (default: the summary). */
  details?: string;
  /** The default as the tables show it, when the value the schema fills in does not say it well. */
  shownDefault?: string;
  /** What to do about a bad value at this key (or below it, unless a deeper key says otherwise). */
  fix?: string;
}

/** The documentation registry: one entry per documented key, read by the formatter and the tables. */
export const keyDocs = z.registry<KeyDoc>();

/** Registers `doc` for `schema` and returns the schema, so a key is declared and documented at once. */
export function documented<T extends z.ZodType>(schema: T, doc: KeyDoc): T {
  keyDocs.add(schema, doc);
  return schema;
}

/** One thing wrong, and how to fix it. */
export interface Problem {
  /** Key path below the root, e.g. `tenants[1].name` (empty: the value itself). */
  path: string;
  /** What is wrong (never echoes a secret value: secret keys set their own message). */
  problem: string;
  fix: string;
}

/** How a value is shown in a problem: its kind, and for a scalar the value. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** `a.b[2].c` from a zod path. */
export function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/**
 * An integer from min to max; a numeric string counts (the CLI passes config values as strings).
 * `must` words the problem, which then says what it got.
 */
export function integerIn(min: number, max: number, must = `must be an integer from ${min} to ${max}`) {
  return z.unknown().transform((value, ctx) => {
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof n === "number" && Number.isInteger(n) && n >= min && n <= max) return n;
    ctx.addIssue({ code: "custom", message: `${must}, got ${describe(value)}` });
    return z.NEVER;
  });
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known key a typo most likely meant (case-insensitive, at most 2 edits, or a prefix). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const c of candidates) {
    const candidate = c.toLowerCase();
    const distance =
      candidate.startsWith(lower) || lower.startsWith(candidate) ? 1 : editDistance(lower, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: c, distance };
  }
  return best?.key;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
};
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Through the wrappers that do not change where a key is (default, optional, …); a pipe's input,
 * or its output when the input only transforms (z.preprocess).
 */
function* unwrapped(schema: z.ZodType): Generator<z.ZodType> {
  let current: z.ZodType | undefined = schema;
  while (current) {
    yield current;
    const def = defOf(current);
    current =
      def.innerType ??
      (def.type === "pipe" && def.in && defOf(def.in).type === "transform" ? def.out : def.in);
  }
}

/** The schemas along a path, root first (each with its wrappers). */
function schemasAlong(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  const found: z.ZodType[] = [];
  let level: z.ZodType[] = [...unwrapped(root)];
  found.push(...level);
  for (const part of path) {
    let next: z.ZodType | undefined;
    for (const s of level) {
      const def = defOf(s);
      next =
        def.type === "object" && typeof part === "string"
          ? def.shape?.[part]
          : def.type === "array"
            ? def.element
            : def.type === "record"
              ? def.valueType
              : undefined;
      if (next) break;
    }
    if (!next) break;
    level = [...unwrapped(next)];
    found.push(...level);
  }
  return found;
}

/** The documentation of the nearest documented key on the path (deepest first). */
export function docAt(root: z.ZodType, path: readonly PropertyKey[]): KeyDoc | undefined {
  const along = schemasAlong(root, path).reverse();
  return along.map((s) => keyDocs.get(s)).find((doc) => doc?.fix !== undefined);
}

/** The keys an object at `path` knows. */
export function knownKeys(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  for (const s of schemasAlong(root, path).reverse()) {
    const def = defOf(s);
    if (def.type === "object" && def.shape) return Object.keys(def.shape);
  }
  return [];
}

export interface FormatOptions {
  /** The fix for an unknown key at the top level (default: as nested keys). */
  unknownTopLevel?: (key: string, guess: string | undefined, known: string[]) => string;
  /** A fix when the schema documents none on the path. */
  fallbackFix?: string;
}

/**
 * Every issue of a failed parse as problems, in order; an object's unknown keys one problem each. A
 * custom issue may carry its own fix in `params.fix`.
 */
export function problemsOf(root: z.ZodType, error: z.ZodError, options: FormatOptions = {}): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(root, issue.path);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        const fix =
          issue.path.length === 0 && options.unknownTopLevel
            ? options.unknownTopLevel(key, guess, known)
            : guess
              ? `did you mean "${guess}"? Known keys: ${known.join(", ")}`
              : `remove it; known keys: ${known.join(", ")}`;
        problems.push({ path: pathText([...issue.path, key]), problem: "unknown key", fix });
      }
      continue;
    }
    const params = (issue as { params?: { fix?: string } }).params;
    const fix =
      params?.fix ??
      docAt(root, issue.path)?.fix ??
      options.fallbackFix ??
      "see the documentation of this key";
    problems.push({ path: pathText(issue.path), problem: issue.message, fix });
  }
  return problems;
}

/**
 * Messages in the harness's words for the issues a field did not word itself: a missing key is
 * required, a wrong type says what it got.
 */
export const errorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "is required";
    const expected =
      issue.expected === "array"
        ? "a list"
        : issue.expected === "object"
          ? "an object"
          : `a ${issue.expected}`;
    return `must be ${expected}, got ${describe(issue.input)}`;
  }
  if (issue.code === "invalid_value") {
    const values = issue.values.map((v) => JSON.stringify(v));
    const choices = values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(", ")}`;
    return `must be ${choices}, got ${describe(issue.input)}`;
  }
  return undefined;
};

/**
 * Checks a JSON contract (the target, the seed, the summary) against its schema: the value, typed,
 * or an Error naming `what`, the keys it lacks, and every other problem at its key path.
 */
export function checkContract<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value, { error: errorMap });
  if (parsed.success) return parsed.data;
  const problems = problemsOf(schema, parsed.error);
  const lacking = problems.filter((p) => p.problem === "is required" && /^[A-Za-z]+$/.test(p.path));
  const others = problems.filter((p) => !lacking.includes(p));
  const lines = [
    ...(lacking.length > 0 ? [`lacks ${lacking.map((p) => p.path).join(", ")}`] : []),
    ...others.map((p) => `${p.path || "the value"}: ${p.problem}`),
  ];
  throw new Error(`${what} ${lines.length === 1 ? lines[0] : `is not valid:\n  - ${lines.join("\n  - ")}`}`);
}
