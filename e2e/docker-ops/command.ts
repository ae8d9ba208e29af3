/**
 * command.local.Command: `create` runs on create (nothing to run = empty outputs), `delete` on
 * destroy, both with the resource's dir, environment, interpreter and stdin; `stdout`/`stderr`
 * become outputs. `triggers` only matter to updates, which the e2e driver never performs (every
 * run creates a fresh stack). `logging` decides what is streamed: `none` (the program's secret
 * generators) streams nothing. A failing create fails the `up` with its output, as the provider's.
 */
import { randomBytes } from "node:crypto";
import { runCommand, type Logging } from "../command-runner";
import { MARKERS } from "../log";
import { assertInputsEmulated, type Created, type OpContext } from "./context";

const SUPPORTED = [
  "create",
  "update",
  "delete",
  "dir",
  "environment",
  "interpreter",
  "stdin",
  "triggers",
  "addPreviousOutputInEnv",
  "logging",
] as const;

export async function createCommand(inputs: Record<string, unknown>, ctx: OpContext): Promise<Created> {
  assertInputsEmulated(ctx, inputs, SUPPORTED);
  const create = inputs.create as string | undefined;
  const common = {
    dir: inputs.dir as string | undefined,
    environment: (inputs.environment ?? {}) as Record<string, string>,
    interpreter: inputs.interpreter as string[] | undefined,
    stdin: inputs.stdin as string | undefined,
    logging: ((inputs.logging as string | undefined) ?? "stdoutAndStderr") as Logging,
  };
  let result = { stdout: "", stderr: "" };
  if (create !== undefined && create !== "") {
    ctx.timings.mark("command-start", ctx.name);
    ctx.log.info(MARKERS.commandRunning(ctx.name));
    result = await ctx.cancel.run(() =>
      runCommand({
        command: create,
        ...common,
        signal: ctx.cancel.signal,
        onLine: (_stream, line) => ctx.log.child(ctx.name, line),
      }),
    );
    ctx.timings.mark("command-end", ctx.name);
    ctx.log.info(`command done: ${ctx.name}`);
  }
  const del = inputs.delete as string | undefined;
  const previousInEnv = inputs.addPreviousOutputInEnv !== false;
  ctx.ledger.add({
    kind: "command",
    type: ctx.type,
    name: ctx.name,
    ...(del ? { delete: del, dir: common.dir, interpreter: common.interpreter, stdin: common.stdin } : {}),
    environment: del ? common.environment : {},
    addPreviousOutputInEnv: previousInEnv,
    stdout: del && previousInEnv ? result.stdout : "",
    stderr: del && previousInEnv ? result.stderr : "",
    logging: common.logging,
  });
  return {
    id: `${ctx.name}-${randomBytes(4).toString("hex")}`,
    state: { ...inputs, stdout: result.stdout, stderr: result.stderr },
  };
}
