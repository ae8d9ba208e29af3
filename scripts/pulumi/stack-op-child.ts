/**
 * The child side of scripts/pulumi/stack-op.ts: `stack-op-child.ts <request.json> <result.json>`.
 * Runs one operation, writes the result, and exits, whatever the inline program left pending.
 */
import { StackNotFoundError, type EngineEvent, type OutputMap } from "@pulumi/pulumi/automation";
import { createWriteStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { openStack } from "./engine";
import type { StackOpRequest, StackOpResult } from "./stack-op";

async function main(): Promise<void> {
  const [requestFile, resultFile] = process.argv.slice(2);
  const req = JSON.parse(readFileSync(requestFile, "utf8")) as StackOpRequest;
  const result: Omit<StackOpResult, "steps" | "output"> = { ok: false };
  const controller = new AbortController();
  // One SIGINT from the caller: pass it on to the CLI once; a second one is ignored here (the CLI
  // would read it as "cancel immediately", which can strand operations).
  process.once("SIGINT", () => controller.abort());
  process.on("SIGINT", () => undefined);
  // What a failed or cancelled program leaves pending rejects after the operation: it belongs to
  // nothing any more, and this process ends right after writing its result.
  process.on("unhandledRejection", () => undefined);

  const events = createWriteStream("", { fd: 3 });
  const onEvent = (event: EngineEvent) => void events.write(`${JSON.stringify({ at: Date.now(), event })}\n`);
  const onOutput = (text: string) => void process.stdout.write(text);
  try {
    let program: (() => Promise<Record<string, unknown>>) | undefined;
    if (req.programModule) {
      // Another program (a test's), in TypeScript: loaded through tsx's CommonJS hook, which this
      // bundle otherwise runs without. Both need require(): the hook works on require only.
      /* eslint-disable @typescript-eslint/no-require-imports */
      if (req.programModule.endsWith(".ts")) (require("tsx/cjs/api") as { register: () => void }).register();
      program = (require(req.programModule) as { program: typeof program }).program;
      /* eslint-enable @typescript-eslint/no-require-imports */
    }
    const stack = await openStack({
      workDir: req.workDir,
      repoRoot: req.repoRoot,
      stackName: req.stackName,
      cli: req.cli,
      env: req.env,
      program,
      mustExist: req.mustExist,
    });
    const signal = controller.signal;
    // After the open: a new stack's file then holds the secrets' salt, which the copy must keep.
    const configFile = req.config && overriddenConfig(req, join(dirname(resultFile), "config.yaml"));
    let outputs: OutputMap | undefined;
    result.startedAt = Date.now();
    switch (req.op) {
      case "preview":
        await stack.preview({ onEvent, onOutput, signal, configFile });
        break;
      case "up":
        outputs = (
          await stack.up({
            onEvent,
            onOutput,
            signal,
            expectNoChanges: req.expectNoChanges,
            refresh: req.refresh,
            configFile,
          })
        ).outputs;
        break;
      case "refresh":
        await stack.refresh({ onEvent, onOutput, signal, configFile });
        break;
      case "destroy":
        await stack.destroy({ onEvent, onOutput, signal });
        break;
      case "outputs":
        outputs = await stack.outputs();
        break;
      case "remove":
        await stack.workspace.removeStack(req.stackName, { force: true });
        break;
    }
    result.endedAt = Date.now();
    if (outputs) {
      result.outputs = Object.fromEntries(
        Object.entries(outputs).map(([k, v]) => [k, { value: v.value as unknown, secret: v.secret }]),
      );
    }
    result.ok = true;
  } catch (error) {
    result.error = (error as Error).message;
    if (error instanceof StackNotFoundError) result.notFound = true;
  }
  // Also for a failed operation: how long it ran until it failed.
  if (result.startedAt !== undefined) result.endedAt ??= Date.now();
  await new Promise((resolve) => events.end(resolve));
  writeFileSync(resultFile, JSON.stringify(result), { mode: 0o600 });
}

/** A copy of the stack file with `req.config`'s keys replaced, at `file` (the caller removes it). */
function overriddenConfig(req: StackOpRequest, file: string): string {
  const own = join(req.workDir, `Pulumi.${req.stackName}.yaml`);
  const doc = (existsSync(own) ? parse(readFileSync(own, "utf8")) : null) as {
    config?: Record<string, unknown>;
  } | null;
  writeFileSync(file, stringify({ ...doc, config: { ...doc?.config, ...req.config } }), { mode: 0o600 });
  return file;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
