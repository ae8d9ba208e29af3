/**
 * `npm run lint:config -- [--production <file>] [--format <fmt>] [--container <name>] [--stack <name>]
 * [--allow <file>] [--json]`: the config coherence lint (tools/config-lint/lint.ts). Compares the
 * environment every harness tenant gets for the stack with the production tenant's, read from
 * <file> (default: the stack's `harness:production`).
 * Exit: 0 coherent, 1 drift, 2 bad input (this usage included).
 */
import { resolve } from "node:path";
import { PRODUCTION_FORMATS, type ProductionFormat } from "../program/config/schema";
import { renderJson, renderText, runLint, type LintOptions } from "../tools/config-lint/lint";

const USAGE = `usage: npm run lint:config -- [--production <file>] [--format ${PRODUCTION_FORMATS.join("|")}]
                           [--container <name>] [--stack <name>] [--allow <file>] [--json]
  --production  the file with production's tenant environment (default: harness:production of the stack)
  --format      its format (default: detected)
  --container   the tenant's container (k8s), container definition (ECS) or service (compose)
  --stack       the harness stack whose tenants are compared (default: $HARNESS_STACK, else harness)
  --allow       the allow file of intended differences (default: harness.drift.yaml, if present)
  --json        the machine format instead of the table
exit: 0 coherent, 1 drift, 2 bad input`;

export interface CliArgs {
  options: LintOptions;
  json: boolean;
}

/** Parses the arguments; throws an Error with the usage problem. */
export function parseArgs(argv: string[], cwd: string, env: NodeJS.ProcessEnv): CliArgs | "help" {
  const options: LintOptions = { root: cwd, stack: env.HARNESS_STACK || "harness" };
  let json = false;
  const valued = ["--production", "--format", "--container", "--stack", "--allow"];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--json") {
      json = true;
      continue;
    }
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    if (!valued.includes(flag)) throw new Error(`unknown argument ${JSON.stringify(arg)}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
      throw new Error(`${flag} needs a value`);
    }
    switch (flag) {
      case "--production":
        options.production = resolve(cwd, value);
        break;
      case "--format":
        if (!(PRODUCTION_FORMATS as readonly string[]).includes(value)) {
          throw new Error(
            `--format must be one of ${PRODUCTION_FORMATS.join(", ")}, got ${JSON.stringify(value)}`,
          );
        }
        options.format = value as ProductionFormat;
        break;
      case "--container":
        options.container = value;
        break;
      case "--stack":
        options.stack = value;
        break;
      case "--allow":
        options.allow = resolve(cwd, value);
        break;
    }
  }
  return { options, json };
}

/** The whole command: output and exit code (what the tests drive). */
export function lintConfigCli(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): { code: number; stdout: string; stderr: string } {
  let args: CliArgs | "help";
  try {
    args = parseArgs(argv, cwd, env);
  } catch (error) {
    return { code: 2, stdout: "", stderr: `lint:config: ${(error as Error).message}\n${USAGE}\n` };
  }
  if (args === "help") return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
  const result = runLint(args.options);
  if (args.json) return { code: result.code, stdout: renderJson(result), stderr: "" };
  const text = renderText(result);
  return result.code === 2
    ? { code: 2, stdout: "", stderr: text }
    : { code: result.code, stdout: text, stderr: "" };
}

if (require.main === module) {
  let out: { code: number; stdout: string; stderr: string };
  try {
    out = lintConfigCli(process.argv.slice(2), process.cwd(), process.env);
  } catch (error) {
    out = {
      code: 2,
      stdout: "",
      stderr: `lint:config: internal error: ${(error as Error).stack ?? String(error)}\n`,
    };
  }
  process.stdout.write(out.stdout);
  process.stderr.write(out.stderr);
  process.exitCode = out.code;
}
