/**
 * One place for what every harness container gets: a fixed stack-scoped name (so deleteBeforeReplace),
 * labels, the stack's internal network with an alias (plus the bridge when it publishes a port:
 * issue 14), a ~1 s healthcheck and the health gate on it (ready.ts),
 * published ports on the engine's publish address only (loopback by default), a short stop grace period and anonymous volumes removed with the
 * container. A healthcheck change replaces the container: Docker cannot change it in place.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DESTROY_GRACE_SECONDS, type Healthcheck } from "../program/lib/docker";
import { labelList, type Naming, type Role } from "../program/lib/naming";
import type { Engine } from "./engine";
import { containerReady } from "./ready";

export interface PublishedPort {
  internal: number;
  /** Host port (components/host-port.ts keeps a picked one stable). */
  external: pulumi.Input<number>;
  /** Engine address to bind (`harness:engine.publishAddress`, 127.0.0.1 by default). */
  ip: string;
}

export interface ServiceContainerArgs {
  naming: Naming;
  /** The stack's engine: the container's provider, and where the health gate asks. */
  engine: Engine;
  role: Role;
  /** Docker container name (`<stack>-<part>`). */
  containerName: string;
  /** Image id or digest: a new image means a new container. */
  image: pulumi.Input<string>;
  /** The stack's network (internal: no route out, issue 14); the aliases are on it. */
  networkName: pulumi.Input<string>;
  aliases: string[];
  /**
   * The stack's bridge with a route out, for a container that publishes ports: Docker publishes none
   * from an internal network. Joined first (no aliases) when `ports` is not empty; a tenant never is.
   */
  publishNetworkName?: pulumi.Input<string>;
  /** Upstream resolvers of the container's embedded DNS (the tenants': the sinkhole). */
  dns?: pulumi.Input<pulumi.Input<string>[]>;
  /** Capabilities added (the sinkhole's NET_ADMIN). */
  capabilities?: string[];
  envs?: pulumi.Input<pulumi.Input<string>[]>;
  /** undefined = the image's own HEALTHCHECK (it must have one: the health gate needs a status). */
  healthcheck: Healthcheck | undefined;
  ports?: PublishedPort[];
  /** Extra labels (beyond harness.stack/harness.role); values may be Outputs. */
  labels?: Record<string, pulumi.Input<string>>;
  uploads?: docker.types.input.ContainerUpload[];
  waitTimeoutSeconds: number;
}

export interface ServiceContainer {
  container: docker.Container;
  /** The container, once healthy: what dependents list in `dependsOn`. */
  ready: pulumi.Output<docker.Container>;
}

export function serviceContainer(
  name: string,
  args: ServiceContainerArgs,
  opts: pulumi.CustomResourceOptions,
): ServiceContainer {
  const labels = labelList(args.naming.labels(args.role)) as { label: string; value: pulumi.Input<string> }[];
  for (const key of Object.keys(args.labels ?? {}).sort())
    labels.push({ label: key, value: args.labels![key] });
  const container = new docker.Container(
    name,
    {
      name: args.containerName,
      image: args.image,
      envs: args.envs,
      labels,
      networksAdvanced: [
        ...(args.publishNetworkName && args.ports?.length ? [{ name: args.publishNetworkName }] : []),
        { name: args.networkName, aliases: args.aliases },
      ],
      dns: args.dns,
      capabilities: args.capabilities ? { adds: args.capabilities } : undefined,
      healthcheck: args.healthcheck,
      ports: args.ports?.map((p) => ({
        internal: p.internal,
        external: p.external,
        ip: p.ip,
        protocol: "tcp",
      })),
      uploads: args.uploads,
      restart: "no",
      mustRun: true,
      removeVolumes: true,
      destroyGraceSeconds: DESTROY_GRACE_SECONDS,
      logDriver: "json-file",
    },
    // Fixed names and ports: the old container must go before its replacement can be created.
    { deleteBeforeReplace: true, replaceOnChanges: ["healthcheck"], ...opts, provider: args.engine.provider },
  );
  return {
    container,
    ready: containerReady(container, args.containerName, args.waitTimeoutSeconds, args.engine.access),
  };
}
