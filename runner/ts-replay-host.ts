/**
 * Runs ONE TypeScript replay in its own process (so a hang or crash is isolated and a timeout can
 * kill it), and speaks the anchor's protocol so the runner classifies TS and shell replays alike:
 *   ctx.skip(reason)  → `[replay] __SKIP__:<closes>:<reason>`, exit 0
 *   ctx.xfail(reason) → `[replay] __XFAIL__:<closes>:<reason>`, exit 0
 *   a thrown error    → `[replay] FAIL: <one line>` (+ stack), exit 1
 *   success           → `[replay] PASS: <proves>`, exit 0
 *
 *   node --import tsx runner/ts-replay-host.ts <replay.ts>
 *   node --import tsx runner/ts-replay-host.ts --describe <replay.ts>…   (one JSON line per file)
 */
import { writeSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { readSeed } from "../contracts/seed";
import { readTarget } from "../contracts/target";
import { isReplayDefinition, metaOf, type ReplayDefinition, type ReplayMeta } from "./api";
import { createContext } from "./context";
import { errorMessage } from "./errors";
import { ReplaySkip, ReplayXfail } from "./signals";

export interface DescribeLine {
  file: string;
  meta?: ReplayMeta;
  error?: string;
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

async function exit(code: number): Promise<never> {
  await write(process.stdout, "");
  await write(process.stderr, "");
  process.exit(code);
}

/** Loads a replay module and returns its definition, or throws a message that says what is wrong. */
export async function loadDefinition(file: string): Promise<ReplayDefinition> {
  const mod = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  // tsx's CJS interop can nest the default export one level deeper.
  const candidates = [mod.default, (mod.default as { default?: unknown } | undefined)?.default];
  const definition = candidates.find(isReplayDefinition);
  if (!definition) {
    throw new Error(`${basename(file)} does not \`export default defineReplay({...})\` (from runner/api)`);
  }
  return definition;
}

/** First line for the FAIL message, the rest (and the stack) for the output. */
export function describeError(error: unknown): { line: string; detail: string } {
  if (error instanceof Error) {
    const lines = error.message.split("\n");
    // "Transform failed with 1 error:" says nothing without the line after it (file:line: ERROR: …).
    const take = lines.length > 1 && lines[0].trim().endsWith(":") ? 2 : 1;
    const first = lines.slice(0, take).join(" ");
    const rest = lines.slice(take);
    const plain = ["Error", "ReplayAssertionError", "HttpRequestError"].includes(error.name);
    const line = plain ? first : `${error.name}: ${first}`;
    const detail = [rest.join("\n"), error.stack ?? ""].filter((s) => s.trim() !== "").join("\n");
    return { line: line.trim() || error.name, detail };
  }
  return { line: `threw a non-error value: ${errorMessage(error)}`, detail: "" };
}

async function describe(files: string[]): Promise<never> {
  for (const file of files) {
    const line: DescribeLine = { file };
    try {
      line.meta = metaOf(await loadDefinition(file));
    } catch (error) {
      line.error = describeError(error).line;
    }
    await write(process.stdout, `${JSON.stringify(line)}\n`);
  }
  return exit(0);
}

/** One replay run: prints exactly one verdict line, whatever happens (throw, hang-free exit, crash). */
class ReplayRun {
  private verdictOut = false;

  constructor(private readonly file: string) {}

  private async verdict(line: string, detail: string, code: number): Promise<never> {
    if (this.verdictOut) return exit(code);
    this.verdictOut = true;
    await write(process.stdout, `${line}\n`);
    if (detail) await write(process.stderr, `${detail}\n`);
    return exit(code);
  }

  private fail(error: unknown, prefix = ""): Promise<never> {
    const { line, detail } = describeError(error);
    return this.verdict(`[replay] FAIL: ${prefix}${line}`, detail, 1);
  }

  async run(): Promise<never> {
    const file = this.file;
    const name = basename(file, extname(file));
    // Without this, a run() whose promise never settles (and holds no timer or socket) lets node exit
    // 0 silently — a false PASS; and a process.exit() inside run() would end without a verdict.
    process.on("exit", (code) => {
      if (this.verdictOut) return;
      const why =
        code === 0
          ? "run() never finished: its promise was left pending with nothing left to wait for, or it called process.exit(0)"
          : `the replay process exited with code ${code} before run() finished (process.exit?)`;
      writeSync(1, `[replay] FAIL: ${why}\n`);
      process.exitCode = code === 0 ? 1 : code;
    });
    // A rejection nobody awaited still fails the replay, with a readable line.
    process.on("unhandledRejection", (reason) => void this.fail(reason, "unhandled rejection: "));
    process.on("uncaughtException", (error) => void this.fail(error, "uncaught exception: "));

    let definition: ReplayDefinition;
    try {
      definition = await loadDefinition(file);
    } catch (error) {
      return this.fail(error, `cannot load ${basename(file)}: `);
    }
    let target, seed;
    try {
      target = readTarget();
      seed = readSeed();
    } catch (error) {
      return this.fail(error, "harness: ");
    }
    const handle = createContext({
      name,
      target,
      seed,
      env: process.env,
      write: (text) => process.stderr.write(text),
    });
    const closes = definition.closes ?? "";
    let outcome: { line: string; detail: string; code: number };
    try {
      await definition.run(handle.ctx);
      outcome = { line: `[replay] PASS: ${definition.proves}`, detail: "", code: 0 };
    } catch (error) {
      if (error instanceof ReplaySkip) {
        outcome = { line: `[replay] __SKIP__:${closes}:${error.reason}`, detail: "", code: 0 };
      } else if (error instanceof ReplayXfail) {
        outcome = { line: `[replay] __XFAIL__:${closes}:${error.reason}`, detail: "", code: 0 };
      } else {
        const described = describeError(error);
        outcome = { line: `[replay] FAIL: ${described.line}`, detail: described.detail, code: 1 };
      }
    }
    await handle.close();
    return this.verdict(outcome.line, outcome.detail, outcome.code);
  }
}

async function main(argv: string[]): Promise<never> {
  if (argv[0] === "--describe") return describe(argv.slice(1));
  if (argv.length !== 1) {
    await write(process.stderr, "usage: ts-replay-host.ts <replay.ts> | --describe <replay.ts>…\n");
    return exit(2);
  }
  return new ReplayRun(argv[0]).run();
}

if (require.main === module) void main(process.argv.slice(2));
