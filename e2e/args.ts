/** Command line of e2e/cli.ts (pure: parsed into a typed request, or a usage error). */
import { parseArgs } from "node:util";

export const USAGE = `usage: tsx e2e/cli.ts <command> [options]
  run   boot the stack for real, read its outputs, assert every replay passed, tear down
        --stack <name>          stack name (default: e2e); names every Docker object
        --stack-config <name>   config from Pulumi.<name>.yaml (default: e2e)
        --config <key>=<value>  override one key, e.g. --config 'harness:tenants=[{"name":"solo"}]'
        --outputs <file>        write the stack outputs there (secrets included, mode 0600)
        --report <file>         write the run's report (verdict, phase timings, teardown) as JSON
        --keep-up               leave the stack up (also KEEP_UP=1); outputs to .harness/outputs.json
  down  tear down kept-up stacks: every recorded one, or --stack <name> (repeatable); then remove
        anything still labelled harness.stack=harness/<name>
  test  the e2e cases (tests/e2e/*.e2e.ts); with KEEP_UP=1: run --keep-up on stack e2e only
exit: 0 all replays passed, 1 a replay failed, 2 the harness failed, 3 teardown left objects behind,
130/143 interrupted (torn down).`;

export interface RunRequest {
  command: "run";
  stack: string;
  stackConfig: string;
  config: Record<string, string>;
  outputs?: string;
  report?: string;
  keepUp: boolean;
}

export interface DownRequest {
  command: "down";
  stacks: string[];
}

export interface TestRequest {
  command: "test";
}

export type Request = RunRequest | DownRequest | TestRequest;

export class UsageError extends Error {}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = {}): Request {
  const [command, ...rest] = argv;
  try {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string", multiple: true },
        "stack-config": { type: "string" },
        config: { type: "string", multiple: true },
        outputs: { type: "string" },
        report: { type: "string" },
        "keep-up": { type: "boolean" },
      },
    });
    switch (command) {
      case "run":
      case "up": {
        const config: Record<string, string> = {};
        for (const item of values.config ?? []) {
          const eq = item.indexOf("=");
          if (eq <= 0 || !item.slice(0, eq).includes(":")) {
            throw new UsageError(`--config takes <namespace:key>=<value>, got "${item}"`);
          }
          config[item.slice(0, eq)] = item.slice(eq + 1);
        }
        if ((values.stack ?? []).length > 1) throw new UsageError("run takes one --stack");
        return {
          command: "run",
          stack: values.stack?.[0] ?? "e2e",
          stackConfig: values["stack-config"] ?? "e2e",
          config,
          outputs: values.outputs,
          report: values.report,
          keepUp: command === "up" || values["keep-up"] === true || env.KEEP_UP === "1",
        };
      }
      case "down":
        return { command: "down", stacks: values.stack ?? [] };
      case "test":
        return { command: "test" };
      default:
        throw new UsageError(command ? `unknown command "${command}"` : "no command given");
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}
