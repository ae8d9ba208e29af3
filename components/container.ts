/**
 * One place for what every harness container gets: a fixed stack-scoped name (so deleteBeforeReplace),
 * labels, the stack network with an alias, a ~1 s healthcheck and the health gate on it (ready.ts),
 * loopback-only published ports, a short stop grace period and anonymous volumes removed with the
 * container. A healthcheck change replaces the container: Docker cannot change it in place.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DESTROY_GRACE_SECONDS, type Healthcheck } from "../lib/docker";
import { labelList, type Naming, type Role } from "../lib/naming";
import { containerReady } from "./ready";

export interface PublishedPort {
  internal: number;
  /** Host port (components/host-port.ts keeps a picked one stable). */
  external: pulumi.Input<number>;
  /** Host address to bind (127.0.0.1 unless configured otherwise). */
  ip: string;
}

export interface ServiceContainerArgs {
  naming: Naming;
  role: Role;
  /** Docker container name (`<stack>-<part>`). */
  containerName: string;
  /** Image id or digest: a new image means a new container. */
  image: pulumi.Input<string>;
  networkName: pulumi.Input<string>;
  aliases: string[];
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
      networksAdvanced: [{ name: args.networkName, aliases: args.aliases }],
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
    { deleteBeforeReplace: true, replaceOnChanges: ["healthcheck"], ...opts },
  );
  return { container, ready: containerReady(container, args.containerName, args.waitTimeoutSeconds) };
}
