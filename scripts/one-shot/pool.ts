/**
 * `npm run harness -- --engines <file>`: a pool of Docker engines CI jobs share. The run picks the
 * least-loaded engine that is under its stack cap, by counting the harness stacks running there (the
 * distinct `harness.stack` labels of its running containers), and boots the stack on it. No daemon,
 * no scheduler, no lock: the engines and their labels are the state. Two jobs that count at the same
 * instant may both pick one engine; the cap is then exceeded by one for a while, never a failure.
 *
 * The pool file (YAML or JSON):
 *   maxStacks: 2                # per engine, unless an engine sets its own (default 2)
 *   engines:
 *     - name: ci-1
 *       host: tcp://10.0.0.5:2376
 *       tls: {certPath: /etc/harness/ci-1}     # relative paths start at the file's directory
 *       maxStacks: 3
 * Each engine is a `harness:engine` (program/config/engine.ts) plus `name` and `maxStacks`. Certificates
 * are files only: key material as text in a plain file would be a secret in the clear.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type Docker from "dockerode";
import { parse } from "yaml";
import { parseEngine, type EngineConfig } from "../../program/config/engine";
import { LABEL_STACK } from "../../program/lib/naming";

export const DEFAULT_MAX_STACKS = 2;

export interface PoolEngine extends EngineConfig {
  name: string;
  maxStacks: number;
}

const isDirectory = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

function positiveInt(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}

/** A pool (`{engines: [...]}`) or one engine, as PoolEngines; or every problem, one per line. */
export function parsePool(
  value: unknown,
  source: string,
  fs: { isDirectory: (p: string) => boolean; isFile: (p: string) => boolean } = { isDirectory, isFile },
): PoolEngine[] | string {
  const baseDir = dirname(resolve(source));
  const problems: string[] = [];
  const doc = (value ?? {}) as Record<string, unknown>;
  const isPool = typeof value === "object" && value !== null && "engines" in value;
  const entries: unknown[] = isPool ? (Array.isArray(doc.engines) ? doc.engines : []) : [value];
  if (isPool && (!Array.isArray(doc.engines) || doc.engines.length === 0))
    problems.push(`${source}: engines must be a non-empty list of engines (see scripts/one-shot/pool.ts)`);
  if (isPool && doc.maxStacks !== undefined && !positiveInt(doc.maxStacks))
    problems.push(`${source}: maxStacks must be a whole number ≥ 1`);
  const unknown = isPool ? Object.keys(doc).filter((k) => k !== "engines" && k !== "maxStacks") : [];
  if (unknown.length > 0)
    problems.push(`${source}: unknown key(s) ${unknown.join(", ")}; known: engines, maxStacks`);
  const defaultMax = positiveInt(doc.maxStacks) ? doc.maxStacks : DEFAULT_MAX_STACKS;
  const engines: PoolEngine[] = [];
  entries.forEach((entry, i) => {
    const key = isPool ? `engines[${i}]` : source;
    const parsed = parseEngine(entry, {
      key,
      baseDir,
      ...fs,
      secret: false,
      extraKeys: ["name", "maxStacks"],
    });
    for (const p of parsed.problems) problems.push(`${key}${p.path}: ${p.problem}; fix: ${p.fix}`);
    const e = (entry ?? {}) as Record<string, unknown>;
    if (isPool && (typeof e.name !== "string" || !e.name.trim()))
      problems.push(`${key}.name: every engine of a pool needs a name (reports and outputs show it)`);
    if (e.maxStacks !== undefined && !positiveInt(e.maxStacks))
      problems.push(`${key}.maxStacks: must be a whole number ≥ 1`);
    if (isPool && parsed.engine.host === undefined && parsed.problems.length === 0)
      problems.push(`${key}.host: every engine of a pool needs a host (tcp://<address>:<port> or unix:///…)`);
    engines.push({
      ...parsed.engine,
      name: typeof e.name === "string" ? e.name : (parsed.engine.host ?? "default"),
      maxStacks: positiveInt(e.maxStacks) ? e.maxStacks : defaultMax,
    });
  });
  const names = engines.map((e) => e.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0)
    problems.push(`${source}: engine names must be unique: ${[...new Set(twice)].join(", ")}`);
  return problems.length > 0 ? problems.join("\n") : engines;
}

/** Reads and parses an engine or pool file; a string is what is wrong with it. */
export function readEngineFile(path: string): PoolEngine[] | string {
  let value: unknown;
  try {
    value = parse(readFileSync(path, "utf8"));
  } catch (error) {
    return `cannot read ${path}: ${(error as Error).message.split("\n")[0]}`;
  }
  return parsePool(value, path);
}

/** The harness stacks running on an engine: the distinct `harness.stack` labels of running containers. */
export async function runningStacks(docker: Pick<Docker, "listContainers">): Promise<string[]> {
  const containers = await docker.listContainers({ filters: { label: [LABEL_STACK], status: ["running"] } });
  return [...new Set(containers.map((c) => c.Labels[LABEL_STACK]).filter(Boolean))].sort();
}

export interface EngineLoad {
  engine: PoolEngine;
  /** Its running stacks, or why they could not be counted (the engine is skipped). */
  stacks: string[] | { error: string };
}

/**
 * The engine for `stackLabel`: the one already running it (a kept stack stays where its state
 * says), else the least loaded under its cap (ties: file order); or why none fits.
 */
export function chooseEngine(
  loads: readonly EngineLoad[],
  stackLabel: string,
): { engine: PoolEngine; reason: string } | { problem: string } {
  const counted = loads.filter((l): l is EngineLoad & { stacks: string[] } => Array.isArray(l.stacks));
  const home = counted.find((l) => l.stacks.includes(stackLabel));
  if (home) return { engine: home.engine, reason: `${stackLabel} already runs there` };
  const free = counted.filter((l) => l.stacks.length < l.engine.maxStacks);
  if (free.length > 0) {
    const best = free.reduce((a, b) => (b.stacks.length < a.stacks.length ? b : a));
    return { engine: best.engine, reason: `${best.stacks.length}/${best.engine.maxStacks} stacks running` };
  }
  const states = loads.map((l) =>
    Array.isArray(l.stacks)
      ? `${l.engine.name}: ${l.stacks.length}/${l.engine.maxStacks} stacks`
      : `${l.engine.name}: unreachable (${l.stacks.error})`,
  );
  return { problem: `no engine of the pool can take the stack (${states.join("; ")})` };
}

/** The `harness:engine` config value that runs a stack on a pool's engine. */
export function engineConfigValue(engine: PoolEngine): Record<string, unknown> {
  return {
    ...(engine.host ? { host: engine.host } : {}),
    ...(engine.certPath ? { tls: { certPath: engine.certPath } } : {}),
    publishAddress: engine.publishAddress,
    clientAddress: engine.clientAddress,
  };
}
