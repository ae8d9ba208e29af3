/**
 * The ENV a Dockerfile bakes into the image it builds, read from the Dockerfile's text (no Docker):
 * the ENV instructions of the built stage (the `target`, else the last) and of the stages it is
 * built FROM, with `$VAR` / `${VAR}` / `${VAR:-default}` / `${VAR:+alt}` substituted from the
 * stage's ARGs (build args win over defaults) and earlier ENVs, as the builder does. ENV inherited
 * from a base image pulled from a registry is not known here (it is not in the text).
 *
 * Handles: parser directives (`# escape=`), comments, line continuations, heredocs, both ENV forms
 * (`ENV A=1 B="two words"` and the legacy `ENV A one value`), global ARGs before the first FROM.
 */
import { BadInput } from "./errors";

interface Stage {
  name?: string;
  env: Map<string, string>;
  args: Map<string, string | undefined>;
}

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Splits the text into instructions: directives read, comments dropped, continuations joined, heredoc bodies skipped. */
export function instructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const escape = escapeOf(text);
  let i = 0;
  const out: Instruction[] = [];
  while (i < lines.length) {
    const start = i;
    const first = lines[i];
    i++;
    if (first.trim() === "" || first.trim().startsWith("#")) continue;
    let logical = first;
    // Continuations: a line ending in the escape character joins the next; comment and empty lines
    // inside a continuation are dropped, as the builder does.
    while (logical.trimEnd().endsWith(escape) && i < lines.length) {
      logical = logical.trimEnd().slice(0, -1);
      while (i < lines.length && (lines[i].trim() === "" || lines[i].trim().startsWith("#"))) i++;
      if (i >= lines.length) break;
      logical += ` ${lines[i]}`;
      i++;
    }
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(logical);
    if (!m) continue;
    out.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 });
    // Heredocs (`RUN <<EOF … EOF`): their bodies are not instructions.
    for (const h of logical.matchAll(/<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g)) {
      const strip = h[1] === "-";
      while (i < lines.length && (strip ? lines[i].trim() : lines[i]) !== h[3]) i++;
      i++;
    }
  }
  return out;
}

/** Splits on unquoted whitespace, keeping quotes and escapes for `word` to process. */
function splitWords(s: string, escape: string): string[] {
  const words: string[] = [];
  let cur = "";
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === escape && quote !== "'" && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (quote) {
      if (c === quote) quote = undefined;
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (/\s/.test(c)) {
      if (cur !== "") words.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  if (cur !== "") words.push(cur);
  return words;
}

/** Processes one word like the builder's shell lexer: quotes removed, escapes applied, variables substituted. */
export function word(s: string, vars: (name: string) => string | undefined, escape = "\\"): string {
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
      continue;
    }
    if (c === escape && i + 1 < s.length) {
      const n = s[i + 1];
      // Inside double quotes only \" \\ \$ are escapes.
      if (quote === '"' && !['"', escape, "$"].includes(n)) out += c;
      else {
        out += n;
        i++;
        continue;
      }
      continue;
    }
    if (c === '"' || (c === "'" && quote === undefined)) {
      if (quote === c) quote = undefined;
      else if (quote === undefined) quote = c;
      else out += c;
      continue;
    }
    if (c === "$") {
      const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}/.exec(s.slice(i));
      if (braced) {
        const value = vars(braced[1]);
        const op = braced[2];
        const operand = braced[3] !== undefined ? word(braced[3], vars, escape) : "";
        if (op === ":-") out += value === undefined || value === "" ? operand : value;
        else if (op === "-") out += value === undefined ? operand : value;
        else if (op === ":+") out += value === undefined || value === "" ? "" : operand;
        else if (op === "+") out += value === undefined ? "" : operand;
        else out += value ?? "";
        i += braced[0].length - 1;
        continue;
      }
      const plain = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i));
      if (plain) {
        out += vars(plain[1]) ?? "";
        i += plain[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

function escapeOf(text: string): string {
  for (const line of text.split(/\r?\n/)) {
    const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!m) break;
    if (m[1].toLowerCase() === "escape" && (m[2] === "`" || m[2] === "\\")) return m[2];
  }
  return "\\";
}

export interface DockerfileEnvOptions {
  /** The stage built (`--target`); default the last. */
  target?: string;
  /** Build args (`--build-arg`): they win over ARG defaults. */
  buildArgs?: Record<string, string>;
}

/** The ENV the built stage of this Dockerfile sets, in instruction order. */
export function dockerfileEnv(text: string, opts: DockerfileEnvOptions = {}): Map<string, string> {
  const escape = escapeOf(text);
  const buildArgs = opts.buildArgs ?? {};
  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  for (const ins of instructions(text)) {
    if (ins.keyword === "FROM") {
      const words = splitWords(ins.args, escape).filter((w) => !w.startsWith("--"));
      const base = word(words[0] ?? "", (n) => globalArgs.get(n), escape);
      const as = words.length >= 3 && words[1].toLowerCase() === "as" ? words[2] : undefined;
      const parent = stages.find((s) => s.name !== undefined && s.name.toLowerCase() === base.toLowerCase());
      stage = { name: as, env: new Map(parent?.env ?? []), args: new Map() };
      stages.push(stage);
      continue;
    }
    if (ins.keyword === "ARG") {
      for (const w of splitWords(ins.args, escape)) {
        const eq = w.indexOf("=");
        const name = eq === -1 ? w : w.slice(0, eq);
        const lookup = (n: string) => (stage ? (stage.env.get(n) ?? stage.args.get(n)) : globalArgs.get(n));
        const fallback =
          eq === -1 ? (stage ? globalArgs.get(name) : undefined) : word(w.slice(eq + 1), lookup, escape);
        const value = name in buildArgs ? buildArgs[name] : fallback;
        (stage ? stage.args : globalArgs).set(name, value);
      }
      continue;
    }
    if (ins.keyword === "ENV" && stage) {
      const s = stage;
      const lookup = (n: string) => s.env.get(n) ?? s.args.get(n);
      const words = splitWords(ins.args, escape);
      if (words.length > 0 && !/^[^=]+=/.test(words[0])) {
        // Legacy form: ENV NAME the rest of the line.
        const rest = ins.args.slice(ins.args.indexOf(words[0]) + words[0].length).trim();
        s.env.set(words[0], word(rest, lookup, escape));
        continue;
      }
      // Every value of one ENV is substituted with the variables from before that instruction.
      const before = new Map(s.env);
      const lookupBefore = (n: string) => before.get(n) ?? s.args.get(n);
      for (const w of words) {
        const eq = w.indexOf("=");
        if (eq <= 0)
          throw new BadInput(
            `Dockerfile line ${ins.line}: ENV ${w} is neither NAME=value nor the legacy NAME value form`,
          );
        s.env.set(w.slice(0, eq), word(w.slice(eq + 1), lookupBefore, escape));
      }
    }
  }
  if (stages.length === 0) throw new BadInput("the Dockerfile has no FROM: not a Dockerfile");
  if (opts.target !== undefined) {
    const t = stages.find((s) => s.name !== undefined && s.name.toLowerCase() === opts.target!.toLowerCase());
    if (!t) {
      const names = stages.map((s) => s.name).filter(Boolean);
      throw new BadInput(
        `the Dockerfile has no stage "${opts.target}" (its named stages: ${names.join(", ") || "none"})`,
      );
    }
    return t.env;
  }
  return stages[stages.length - 1].env;
}
