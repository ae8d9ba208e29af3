/**
 * `npm run stack -- <operation> [--stack <name>] [options]`: one engine operation on a stack of this
 * project, run from the repository root, through the same path as `npm run harness` (the program
 * runs inline, so this works without the Node.js language host the toolchain cannot build; with the
 * official CLI, plain `pulumi <operation>` works too).
 *
 *   preview                  what an up would do
 *   up [--expect-no-changes] [--refresh]
 *   refresh
 *   destroy
 *   outputs [--show-secrets] the stack outputs as JSON (secrets as "[secret]" unless asked)
 *
 * Exit 0 done, 1 the operation failed, 2 bad usage or no CLI.
 */
import { resolve } from "node:path";
import { passphraseEnv } from "./pulumi/passphrase";
import { checkPulumi } from "./one-shot/preflight";
import { findPulumiCli } from "./pulumi/engine";
import { runStackOp, type StackOp } from "./pulumi/stack-op";

const OPS = ["preview", "up", "refresh", "destroy", "outputs"] as const;
const USAGE =
  "usage: npm run stack -- <preview|up|refresh|destroy|outputs> [--stack <name>] [--expect-no-changes] [--refresh] [--show-secrets]";

interface Args {
  op: StackOp;
  stack: string;
  expectNoChanges: boolean;
  refresh: boolean;
  showSecrets: boolean;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args | string {
  const [op, ...rest] = argv;
  if (!OPS.includes(op as (typeof OPS)[number])) return op ? `unknown operation "${op}"` : "no operation";
  const args: Args = {
    op: op as StackOp,
    stack: env.HARNESS_STACK || "harness",
    expectNoChanges: false,
    refresh: false,
    showSecrets: false,
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--stack" && rest[i + 1]) args.stack = rest[++i];
    else if (a === "--expect-no-changes" && op === "up") args.expectNoChanges = true;
    else if (a === "--refresh" && op === "up") args.refresh = true;
    else if (a === "--show-secrets" && op === "outputs") args.showSecrets = true;
    else return `unknown or misplaced argument "${a}" for ${op}`;
  }
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), process.env);
  if (typeof args === "string") {
    process.stderr.write(`${args}\n${USAGE}\n`);
    return 2;
  }
  const repoRoot = resolve(__dirname, "..");
  const cli = await findPulumiCli(repoRoot, process.env);
  const problem = checkPulumi(cli, true);
  if (problem || !cli) {
    process.stderr.write(`✗ ${problem?.what}\n  fix: ${problem?.fix}\n`);
    return 2;
  }
  const env = passphraseEnv(process.env);
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  process.once("SIGTERM", () => controller.abort());
  const result = await runStackOp(
    {
      op: args.op,
      workDir: process.cwd(),
      stackName: args.stack,
      cli,
      env,
      expectNoChanges: args.expectNoChanges,
      refresh: args.refresh,
    },
    { signal: controller.signal, onOutput: (t) => void process.stderr.write(t) },
  );
  if (!result.ok) {
    process.stderr.write(`\n✗ ${args.op} failed: ${result.error ?? "see above"}\n`);
    return 1;
  }
  if (args.op === "outputs") {
    const shown = Object.fromEntries(
      Object.entries(result.outputs ?? {}).map(([k, v]) => [
        k,
        v.secret && !args.showSecrets ? "[secret]" : v.value,
      ]),
    );
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`[stack] internal error: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(2);
    },
  );
}
