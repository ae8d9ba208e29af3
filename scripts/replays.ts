/**
 * `npm run replays -- [--stack <name>] …` and `npm run seed -- [--stack <name>] …`
 * (scripts/replays/kept.ts): the runner, against the environment or against a stack that is up.
 * The stack's outputs come from the real engine, as `npm run stack -- outputs --show-secrets` reads
 * them (scripts/pulumi/stack-op.ts, the local backend, the documented passphrase unless
 * PULUMI_CONFIG_PASSPHRASE[_FILE] is set); the engine's modules load only with `--stack`.
 * The watcher is chokidar 4: recursive on every platform, new sub-directories included, and an
 * editor's save through a temporary file and a rename reported as one change of the file.
 * Ctrl-C stops the running replays (the runner's AbortSignal) and exits 130; a second one forces it.
 */
import { watch } from "chokidar";
import { resolve } from "node:path";
import { main as runner } from "../runner/cli";
import { replaysMain, type StackOutputs } from "./replays/kept";
import { onTerminationSignal } from "./signals";

const repoRoot = resolve(__dirname, "..");
const workDir = process.cwd();

async function readOutputs(stack: string): Promise<StackOutputs> {
  const [{ findPulumiCli }, { checkPulumi }, { runStackOp }, { passphraseEnv }] = await Promise.all([
    import("./pulumi/engine"),
    import("./one-shot/preflight"),
    import("./pulumi/stack-op"),
    import("./pulumi/passphrase"),
  ]);
  const cli = await findPulumiCli(repoRoot, process.env);
  const problem = checkPulumi(cli, true);
  if (problem || !cli) return { problem: `${problem?.what}; fix: ${problem?.fix}` };
  const env = passphraseEnv(process.env);
  const result = await runStackOp({ op: "outputs", workDir, stackName: stack, cli, env, mustExist: true });
  if (result.notFound) return { notFound: true };
  if (!result.ok) {
    const lines = (result.error ?? "").split("\n");
    const cause = lines.find((l) => l.startsWith("error:")) ?? lines[0];
    const why = cause.replace(/^error:\s*/, "").trim() || "the engine failed";
    // The CLI's own message says what to set when it is the passphrase.
    return {
      problem: /passphrase/i.test(why) ? why : `${why}; see \`npm run stack -- outputs --stack ${stack}\``,
    };
  }
  return { outputs: Object.fromEntries(Object.entries(result.outputs ?? {}).map(([k, v]) => [k, v.value])) };
}

const controller = new AbortController();
onTerminationSignal((signal) => {
  if (controller.signal.aborted) process.exit(signal === "SIGINT" ? 130 : 143);
  process.stderr.write(`[replays] ${signal}: stopping the running replays (again to force)\n`);
  controller.abort(signal);
});

const pending: Promise<void>[] = [];
const write = (stream: NodeJS.WriteStream) => (text: string) =>
  void pending.push(new Promise((done) => stream.write(text, () => done())));

replaysMain({
  argv: process.argv.slice(2),
  env: process.env,
  workDir,
  repoRoot,
  stderr: write(process.stderr),
  stdout: write(process.stdout),
  readOutputs,
  runner,
  watch: (paths, onChange) =>
    watch(paths, { ignoreInitial: true, ignored: (path) => path.includes("/node_modules/") }).on(
      "all",
      (_event, path) => onChange(path),
    ),
  stop: controller.signal,
}).then(async (code) => {
  await Promise.all(pending);
  process.exit(code);
});
