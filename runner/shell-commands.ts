/**
 * Which external commands a bash script runs, read with a real shell parser (mvdan/sh, the parser
 * behind shfmt, built for JavaScript as `mvdan-sh`), not with a regular expression: a command in a
 * pipeline, a `$(…)`, an `if`, or after `env`/`timeout`/`xargs` counts; a word in a string, a comment
 * or a heredoc does not. Used by the prerequisites check (shell-commands.test.ts): every command the
 * bash replays and their helpers run must be installed, because the anchor's replays, run unchanged,
 * failed on a machine without `uuidgen`.
 */
// mvdan-sh ships no types: the few members used here are declared where they are used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { syntax } = require("mvdan-sh") as { syntax: ShSyntax };

interface ShWord {
  Lit(): string;
}
interface ShNode {
  Pos(): { Line(): number };
}
interface ShCall extends ShNode {
  Args: ShWord[];
}
interface ShFunc extends ShNode {
  Name: { Value: string };
}
interface ShSyntax {
  NewParser(): { Parse(src: string, name: string): ShNode };
  Walk(node: ShNode, visit: (node: ShNode | null) => boolean): void;
  NodeType(node: ShNode): string;
}

export interface CommandUse {
  /** The command as written, e.g. "uuidgen". */
  name: string;
  line: number;
}

export interface ScriptCommands {
  /** Every simple command whose name is a literal word, in order (builtins and functions included). */
  calls: CommandUse[];
  /** Functions the script defines. */
  functions: string[];
  /** Calls whose command name is not a literal (`"$CMD" …`): not checkable, counted. */
  dynamic: number;
}

/**
 * Wrappers whose next word that is not an option, an option's value, an assignment (`env A=1`) or a
 * duration (`timeout 5`) is the command they run; with the options of theirs that take a value.
 */
const WRAPPERS = new Map<string, ReadonlySet<string>>([
  ["env", new Set(["-u", "-C", "-S"])],
  ["timeout", new Set(["-s", "-k"])],
  ["xargs", new Set(["-I", "-n", "-P", "-L", "-d", "-E", "-s", "-a"])],
  ["sudo", new Set(["-u", "-g", "-C", "-D", "-h", "-p", "-U"])],
  ["nice", new Set(["-n"])],
  ["command", new Set()],
  ["exec", new Set(["-a"])],
  ["nohup", new Set()],
  ["time", new Set()],
]);

/** Parses `source` (bash); throws with `file` and the parser's position on a syntax error. */
export function scriptCommands(source: string, file: string): ScriptCommands {
  let root: ShNode;
  try {
    root = syntax.NewParser().Parse(source, file);
  } catch (error) {
    throw new Error(`${file}: not valid bash: ${String((error as { message?: string }).message ?? error)}`);
  }
  const calls: CommandUse[] = [];
  const functions: string[] = [];
  let dynamic = 0;
  syntax.Walk(root, (node) => {
    if (!node) return true;
    const type = syntax.NodeType(node);
    if (type === "FuncDecl") functions.push((node as ShFunc).Name.Value);
    if (type !== "CallExpr") return true;
    const args = (node as ShCall).Args.map((w) => w.Lit());
    const line = node.Pos().Line();
    let i = 0;
    while (i < args.length) {
      const name = args[i];
      if (name === "") {
        dynamic += 1;
        break;
      }
      calls.push({ name, line });
      const takesValue = WRAPPERS.get(name);
      if (!takesValue) break;
      // Skip the wrapper's options and env assignments (`timeout -s KILL 5 cmd`, `env A=1 cmd`).
      i += 1;
      while (i < args.length && /^(-|[A-Za-z_][A-Za-z0-9_]*=|\d+(\.\d+)?[smhd]?$)/.test(args[i])) {
        i += takesValue.has(args[i]) ? 2 : 1;
      }
    }
    return true;
  });
  return { calls, functions, dynamic };
}

export interface Missing {
  name: string;
  /** `file:line` of every use. */
  uses: string[];
}

/**
 * The commands `scripts` run that are neither bash builtins or keywords (`shellWords`), nor functions
 * defined in any of the scripts (helpers define functions the replays call), nor installed
 * (`installed(name)`), nor paths (`./x`, `/usr/bin/x`: the script names its own tool).
 */
export function missingCommands(
  scripts: { file: string; source: string }[],
  shellWords: ReadonlySet<string>,
  installed: (name: string) => boolean,
): Missing[] {
  const parsed = scripts.map((s) => ({ file: s.file, ...scriptCommands(s.source, s.file) }));
  const functions = new Set(parsed.flatMap((p) => p.functions));
  const missing = new Map<string, string[]>();
  for (const p of parsed) {
    for (const call of p.calls) {
      if (shellWords.has(call.name) || functions.has(call.name) || call.name.includes("/")) continue;
      const uses = missing.get(call.name) ?? [];
      uses.push(`${p.file}:${call.line}`);
      missing.set(call.name, uses);
    }
  }
  return [...missing.entries()]
    .filter(([name]) => !installed(name))
    .map(([name, uses]) => ({ name, uses }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
