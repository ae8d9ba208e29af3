/**
 * Looking at a stack's containers from inside, for replays such as no-egress (issue 14): the
 * `docker` CLI against the target's engine, with the settings the program's own Commands use
 * (program/lib/engine.ts). The CLI rather than dockerode: a replay runs in a worker thread, and dockerode
 * loads native add-ons (through ssh2) that abort the replay host when loaded in worker threads.
 */
import { execFile } from "node:child_process";
import type { EngineAccess } from "../../program/contracts/engine";
import { dockerCli } from "../../program/lib/engine";
import { shellQuote } from "../../program/lib/shell";

export interface DockerRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `docker <args>` against an engine (Docker's defaults when `engine` is absent). */
export type DockerCall = (args: string[]) => Promise<DockerRun>;

export function dockerOn(engine: EngineAccess | undefined): DockerCall {
  const cli = dockerCli(engine ?? {});
  return (args) =>
    new Promise((resolve) => {
      execFile(
        "sh",
        ["-c", cli.wrap(["docker", ...args].map(shellQuote).join(" "))],
        { env: { ...process.env, ...cli.environment }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
}

/** Runs `cmd` in a container: its exit code and output (both streams). */
export async function execIn(
  docker: DockerCall,
  container: string,
  cmd: string[],
): Promise<{ code: number; output: string }> {
  const run = await docker(["exec", container, ...cmd]);
  return { code: run.code, output: `${run.stdout}${run.stderr}` };
}

/** A container's stdout (the egress sinkhole's journal); throws with the CLI's message. */
export async function stdoutOf(docker: DockerCall, container: string, tail = 5000): Promise<string> {
  const run = await docker(["logs", "--tail", String(tail), container]);
  if (run.code !== 0) throw new Error(`docker logs ${container}: ${run.stderr.trim()}`);
  return run.stdout;
}

/** `docker inspect` of one object (container or network), parsed; throws with the CLI's message. */
export async function inspect<T = Record<string, unknown>>(docker: DockerCall, args: string[]): Promise<T> {
  const run = await docker([...args.slice(0, -1), "inspect", args[args.length - 1]]);
  if (run.code !== 0) throw new Error(`docker ${args.join(" ")} inspect: ${run.stderr.trim()}`);
  return (JSON.parse(run.stdout) as T[])[0];
}

/**
 * A Node.js one-liner for a tenant's view of an outside URL: `node -e HTTP_PROBE <host> <port>` prints
 * `{address, status, body}` or `{address?, error}` as JSON (the tenant's own resolver and stack).
 */
export const HTTP_PROBE = `
const http = require("http");
require("dns").lookup(process.argv[1], { family: 4 }, (error, address) => {
  if (error) { console.log(JSON.stringify({ error: "lookup: " + error.message })); return; }
  http.get({ host: process.argv[1], port: Number(process.argv[2]), path: "/v1/charges", timeout: 5000 }, (res) => {
    let body = "";
    res.on("data", (d) => (body += d));
    res.on("end", () => console.log(JSON.stringify({ address, status: res.statusCode, body })));
  }).on("error", (e) => console.log(JSON.stringify({ address, error: e.message })));
});`;

export interface ProbeResult {
  address?: string;
  status?: number;
  body?: string;
  error?: string;
}

/** The probe's JSON line from its output (the last line), or `{error}` with the output. */
export function probeResult(output: string): ProbeResult {
  try {
    return JSON.parse(output.trim().split("\n").pop() || "") as ProbeResult;
  } catch {
    return { error: `unreadable probe output: ${output.slice(0, 200)}` };
  }
}
