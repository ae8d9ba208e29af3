/**
 * On any FAIL/XPASS: `<reportsDir>/artifacts/` with every replay's output, every container's logs,
 * copies of the target's log files and the cp-stub request journal. Collection is best effort and
 * bounded in time: a missing container, no Docker, or a dead cp-stub becomes a note in README.txt,
 * never an exception. What it read is also returned, so report.html can show each failure's window
 * of it without asking Docker and the cp-stub again.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type Docker from "dockerode";
import { dockerOptions, type EngineAccess } from "../program/contracts/engine";
import { errorMessage } from "./errors";

/** Where container logs come from (dockerode in production, a fake in tests). */
export interface ContainerLogSource {
  logs(container: string): Promise<Buffer | string>;
}

/** Where the cp-stub journal comes from (`GET /__stub/requests`). */
export interface JournalSource {
  requests(): Promise<unknown>;
}

export interface ArtifactInputs {
  dir: string;
  replayOutputs: readonly { name: string; file: string }[];
  /** The output of each suite that ran (`harness:suites`), copied into suites/. */
  suiteOutputs?: readonly { name: string; file: string }[];
  containers: readonly string[];
  logFiles?: Readonly<Record<string, string>>;
  logSource: ContainerLogSource | null;
  journal: JournalSource | null;
  /** Per item (one container's logs, the journal). */
  timeoutMs?: number;
}

/**
 * Docker multiplexes stdout/stderr of non-TTY containers into frames
 * `[stream, 0, 0, 0, size(4, big-endian)] payload`. Returns the payloads in order, or the input
 * unchanged when it is not such a stream (TTY containers).
 */
export function demuxDockerLogs(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + 8 > data.length) return data;
    const stream = data[offset];
    if (stream > 2 || data[offset + 1] !== 0 || data[offset + 2] !== 0 || data[offset + 3] !== 0) return data;
    const size = data.readUInt32BE(offset + 4);
    if (offset + 8 + size > data.length) return data;
    parts.push(data.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts);
}

/**
 * Container logs through dockerode, from the stack's engine (the target's `engine`: the same host
 * and TLS material the program used), else Docker's defaults (DOCKER_HOST or the local socket);
 * loaded only when needed.
 */
export function dockerLogSource(docker?: Docker, tail = 5000, engine?: EngineAccess): ContainerLogSource {
  let client: Promise<Docker> | undefined;
  const connect = () =>
    (client ??= docker
      ? Promise.resolve(docker)
      : import("dockerode").then((m) => new m.default(dockerOptions(engine))));
  return {
    async logs(container: string) {
      const data: unknown = await (await connect()).getContainer(container).logs({
        stdout: true,
        stderr: true,
        timestamps: true,
        follow: false,
        tail,
      });
      return Buffer.isBuffer(data) ? demuxDockerLogs(data) : String(data);
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Safe as a file name: letters, digits, `._-`. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_") || "_";
}

export interface CollectedArtifacts {
  dir: string;
  notes: string[];
  /** The logs written to containers/, by container (text; with docker's timestamps). */
  containerLogs: Map<string, string>;
  /** What the journal source answered; undefined when it did not. */
  journal: unknown;
}

export async function collectArtifacts(inputs: ArtifactInputs): Promise<CollectedArtifacts> {
  const timeoutMs = inputs.timeoutMs ?? 10_000;
  const notes: string[] = [];
  const containerLogs = new Map<string, string>();
  let journal: unknown;
  mkdirSync(inputs.dir, { recursive: true });

  for (const [kind, outputs] of [
    ["replay", inputs.replayOutputs],
    ["suite", inputs.suiteOutputs ?? []],
  ] as const) {
    if (kind === "suite" && outputs.length === 0) continue;
    const outputsDir = join(inputs.dir, `${kind}s`);
    mkdirSync(outputsDir, { recursive: true });
    for (const { name, file } of outputs) {
      try {
        copyFileSync(file, join(outputsDir, `${fileSafe(name)}.log`));
      } catch (error) {
        notes.push(`${kind} output of ${name} (${file}): ${errorMessage(error)}`);
      }
    }
  }

  if (inputs.containers.length > 0) {
    const containersDir = join(inputs.dir, "containers");
    mkdirSync(containersDir, { recursive: true });
    await Promise.all(
      inputs.containers.map(async (container) => {
        if (!inputs.logSource) {
          notes.push(`container ${container}: no Docker client`);
          return;
        }
        try {
          const logs = await withTimeout(
            inputs.logSource.logs(container),
            timeoutMs,
            `docker logs ${container}`,
          );
          writeFileSync(join(containersDir, `${fileSafe(container)}.log`), logs);
          containerLogs.set(container, logs.toString());
        } catch (error) {
          notes.push(`container ${container}: ${errorMessage(error)}`);
        }
      }),
    );
    // In the target's order, not in the order the answers came.
    for (const container of inputs.containers) {
      const logs = containerLogs.get(container);
      if (logs === undefined) continue;
      containerLogs.delete(container);
      containerLogs.set(container, logs);
    }
  }

  const logFiles = Object.entries(inputs.logFiles ?? {});
  if (logFiles.length > 0) {
    const logsDir = join(inputs.dir, "logs");
    mkdirSync(logsDir, { recursive: true });
    for (const [name, file] of logFiles) {
      try {
        if (!existsSync(file)) throw new Error("file does not exist");
        copyFileSync(file, join(logsDir, `${fileSafe(name)}-${fileSafe(basename(file))}`));
      } catch (error) {
        notes.push(`log file ${name} (${file}): ${errorMessage(error)}`);
      }
    }
  }

  if (inputs.journal) {
    try {
      journal = await withTimeout(inputs.journal.requests(), timeoutMs, "cp-stub journal");
      writeFileSync(join(inputs.dir, "cp-stub-requests.json"), `${JSON.stringify(journal, null, 2)}\n`);
    } catch (error) {
      notes.push(`cp-stub journal: ${errorMessage(error)}`);
    }
  }

  const readme = [
    "Failure artifacts of a harness replay run.",
    "  replays/<name>.log        each replay's combined output",
    "  suites/<name>.log         each suite's combined output (harness:suites)",
    "  containers/<name>.log     docker logs of every harness container (timestamps, last 5000 lines)",
    "  logs/                     log files of non-container processes",
    "  cp-stub-requests.json     the cp-stub request journal (GET /__stub/requests)",
    "",
    notes.length === 0 ? "Everything was collected." : "Could not collect:",
    ...notes.map((note) => `  - ${note}`),
    "",
  ];
  writeFileSync(join(inputs.dir, "README.txt"), readme.join("\n"));
  return { dir: inputs.dir, notes, containerLogs, journal };
}
