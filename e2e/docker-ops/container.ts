/**
 * docker.Container, as the provider creates it: create (name, image, env, labels, exposed and
 * published ports, healthcheck, restart policy, log driver) on the declared network with its aliases,
 * upload the files, start, check it is running (`mustRun`), then with `wait` block until healthy
 * (health-wait.ts). Outputs: the inputs plus `ports` read back from Docker — the host ports it
 * actually published (a free one when `external` is unset). Delete: stop with `destroyGraceSeconds`,
 * remove with force and (`removeVolumes`, default true) its anonymous volumes, wait until gone.
 *
 * Deviation (no observable difference for the harness): the provider creates the container on the
 * default bridge, then disconnects it and connects the declared networks; the driver attaches the
 * first declared network at create, so a half-configured container never exists.
 */
import type Docker from "dockerode";
import { pack } from "tar-stream";
import { MARKERS } from "../log";
import { sleep } from "../cancel";
import { assertInputsEmulated, type Created, type OpContext } from "./context";
import { parseGoDuration } from "./duration";
import { waitHealthy } from "./health-wait";
import { indent, tailLogs } from "./logs";
import { labelMap } from "./network";

interface PortInput {
  internal: number;
  external?: number;
  ip?: string;
  protocol?: string;
}

interface UploadInput {
  file: string;
  content?: string;
  contentBase64?: string;
  source?: string;
  executable?: boolean;
}

interface HealthcheckInput {
  tests: string[];
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  retries?: number;
}

interface NetworkInput {
  name: string;
  aliases?: string[];
}

export interface PortOutput {
  internal: number;
  external: number;
  ip: string;
  protocol: string;
}

const SUPPORTED = [
  "name",
  "image",
  "envs",
  "labels",
  "networksAdvanced",
  "healthcheck",
  "wait",
  "waitTimeout",
  "ports",
  "uploads",
  "restart",
  "mustRun",
  "removeVolumes",
  "destroyGraceSeconds",
  "logDriver",
  "command",
  "entrypoint",
  "user",
  "workingDir",
  "rm",
  "start",
] as const;

/** Provider defaults (docker provider 5.x schema). */
const DEFAULTS = { waitTimeout: 60, restart: "no", logDriver: "json-file", ip: "0.0.0.0", protocol: "tcp" };

/** The create request for the inputs (pure). */
export function containerCreateOptions(inputs: Record<string, unknown>): Docker.ContainerCreateOptions {
  const ports = (inputs.ports ?? []) as PortInput[];
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports) {
    const key = `${p.internal}/${p.protocol ?? DEFAULTS.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({
      HostIp: p.ip ?? DEFAULTS.ip,
      HostPort: p.external === undefined ? "" : String(p.external),
    });
  }
  const hc = inputs.healthcheck as HealthcheckInput | undefined;
  const networks = (inputs.networksAdvanced ?? []) as NetworkInput[];
  const first = networks[0];
  return {
    name: String(inputs.name),
    Image: String(inputs.image),
    Env: (inputs.envs ?? []) as string[],
    Labels: labelMap(inputs.labels),
    ...(inputs.command ? { Cmd: inputs.command as string[] } : {}),
    ...(inputs.entrypoint ? { Entrypoint: inputs.entrypoint as string[] } : {}),
    ...(inputs.user ? { User: String(inputs.user) } : {}),
    ...(inputs.workingDir ? { WorkingDir: String(inputs.workingDir) } : {}),
    ExposedPorts: exposed,
    ...(hc
      ? {
          Healthcheck: {
            Test: hc.tests,
            Interval: parseGoDuration(hc.interval),
            Timeout: parseGoDuration(hc.timeout),
            StartPeriod: parseGoDuration(hc.startPeriod),
            Retries: hc.retries ?? 0,
          },
        }
      : {}),
    HostConfig: {
      PortBindings: bindings,
      RestartPolicy: { Name: (inputs.restart as string | undefined) ?? DEFAULTS.restart },
      LogConfig: { Type: (inputs.logDriver as string | undefined) ?? DEFAULTS.logDriver, Config: {} },
      AutoRemove: inputs.rm === true,
      Init: false,
      ...(first ? { NetworkMode: first.name } : {}),
    },
    ...(first
      ? { NetworkingConfig: { EndpointsConfig: { [first.name]: { Aliases: first.aliases ?? [] } } } }
      : {}),
  };
}

/** The provider's `ports` output from Docker's NetworkSettings.Ports (pure). */
export function flattenPorts(
  ports: Record<string, { HostIp: string; HostPort: string }[] | null> | undefined,
): PortOutput[] {
  const out: PortOutput[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const [internal, protocol] = key.split("/");
    for (const b of bindings ?? []) {
      out.push({ internal: Number(internal), external: Number(b.HostPort), ip: b.HostIp, protocol });
    }
  }
  return out.sort((a, b) => a.internal - b.internal || a.ip.localeCompare(b.ip));
}

/** One upload as the provider sends it: a tar holding `file` (0644, 0744 when executable), extracted at `/`. */
export function uploadTar(upload: UploadInput): Promise<Buffer> {
  const set = [upload.content, upload.contentBase64, upload.source].filter(
    (v) => v !== undefined && v !== "",
  );
  if (set.length !== 1)
    throw new Error(`upload ${upload.file}: exactly one of content, contentBase64, source must be set`);
  if (upload.source) throw new Error(`upload ${upload.file}: "source" is not emulated by the e2e driver`);
  const content =
    upload.content !== undefined && upload.content !== ""
      ? Buffer.from(upload.content)
      : Buffer.from(upload.contentBase64 ?? "", "base64");
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    tar.on("end", () => resolve(Buffer.concat(chunks)));
    tar.on("error", reject);
    tar.entry(
      {
        name: upload.file.replace(/^\/+/, ""),
        mode: upload.executable ? 0o744 : 0o644,
        type: "file",
        mtime: new Date(),
      },
      content,
      (error) => (error ? reject(error) : tar.finalize()),
    );
  });
}

async function waitRunning(container: Docker.Container, name: string, signal: AbortSignal): Promise<void> {
  // The provider's read after create: up to 15 s for "running"; exited → "container exited immediately".
  const deadline = Date.now() + 15_000;
  for (;;) {
    const info = await container.inspect();
    if (info.State.Running) return;
    if (info.State.Status === "exited" || info.State.Status === "dead" || Date.now() >= deadline) {
      const logs = await tailLogs(container);
      throw new Error(
        `container ${name} exited immediately (code ${info.State.ExitCode}); last log lines:\n${indent(logs)}`,
      );
    }
    await sleep(100, signal);
  }
}

export async function createContainer(inputs: Record<string, unknown>, ctx: OpContext): Promise<Created> {
  assertInputsEmulated(ctx, inputs, SUPPORTED);
  const name = String(inputs.name);
  const image = String(inputs.image);
  const options = containerCreateOptions(inputs);
  try {
    await ctx.docker.getImage(image).inspect();
  } catch (error) {
    throw new Error(`Unable to create container with image ${image}: ${(error as Error).message}`);
  }
  // Create and record in one tracked step: a teardown waits for it, so the container is in the ledger.
  const created = await ctx.cancel.run(async () => {
    const made = await ctx.docker.createContainer(options);
    let volumes: string[] = [];
    try {
      const mounts = ((await made.inspect()).Mounts ?? []) as { Type: string; Name?: string }[];
      volumes = mounts.filter((m) => m.Type === "volume" && m.Name).map((m) => m.Name as string);
    } catch {
      // recorded without its volumes; the destroy still removes them with the container
    }
    ctx.ledger.add({
      kind: "container",
      type: ctx.type,
      name: ctx.name,
      id: made.id,
      containerName: name,
      graceSeconds: (inputs.destroyGraceSeconds as number | undefined) ?? 0,
      removeVolumes: inputs.removeVolumes !== false,
      autoRemove: inputs.rm === true,
      volumes,
    });
    return made;
  });
  const container = ctx.docker.getContainer(created.id);

  const networks = (inputs.networksAdvanced ?? []) as NetworkInput[];
  for (const extra of networks.slice(1)) {
    await ctx.cancel.run(() =>
      ctx.docker
        .getNetwork(extra.name)
        .connect({ Container: created.id, EndpointConfig: { Aliases: extra.aliases ?? [] } }),
    );
  }
  for (const upload of (inputs.uploads ?? []) as UploadInput[]) {
    const tar = await uploadTar(upload);
    await ctx.cancel.run(() => container.putArchive(tar, { path: "/" }));
  }
  if (inputs.start === false) {
    return { id: created.id, state: { ...inputs, name, ports: [] } };
  }
  await ctx.cancel.run(() => container.start());
  ctx.timings.mark("container-started", ctx.name);
  ctx.log.info(MARKERS.containerStarted(name));
  if (inputs.mustRun !== false) await ctx.cancel.run(() => waitRunning(container, name, ctx.cancel.signal));
  if (inputs.wait === true) {
    const started = Date.now();
    const timeoutSeconds = (inputs.waitTimeout as number | undefined) ?? DEFAULTS.waitTimeout;
    await ctx.cancel.run(() => waitHealthy(container, name, { timeoutSeconds, signal: ctx.cancel.signal }));
    ctx.timings.mark("container-healthy", ctx.name);
    ctx.log.info(`container healthy: ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  const info = await container.inspect();
  const ports = flattenPorts(info.NetworkSettings.Ports as Parameters<typeof flattenPorts>[0]);
  return {
    id: created.id,
    state: {
      ...inputs,
      name,
      ports,
      networkData: Object.entries(info.NetworkSettings.Networks ?? {}).map(([networkName, n]) => ({
        networkName,
        ipAddress: n.IPAddress,
        gateway: n.Gateway,
      })),
    },
  };
}
