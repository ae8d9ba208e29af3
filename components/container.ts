/**
 * One place for what every harness container gets: a fixed stack-scoped name (so deleteBeforeReplace),
 * labels, the stack network with an alias, a ~1 s healthcheck that `wait` blocks on, loopback-only
 * published ports, a short stop grace period and anonymous volumes removed with the container.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DESTROY_GRACE_SECONDS, type Healthcheck } from "../lib/docker";
import { labelList, type Naming, type Role } from "../lib/naming";

export interface PublishedPort {
  internal: number;
  /** Host port; undefined = a free port picked by Docker (read back from the container's `ports`). */
  external?: number;
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
  /** undefined = the image's own HEALTHCHECK (it must have one: `wait` needs a health status). */
  healthcheck: Healthcheck | undefined;
  ports?: PublishedPort[];
  /** Extra labels (beyond harness.stack/harness.role); values may be Outputs. */
  labels?: Record<string, pulumi.Input<string>>;
  uploads?: docker.types.input.ContainerUpload[];
  waitTimeoutSeconds: number;
}

export function serviceContainer(
  name: string,
  args: ServiceContainerArgs,
  opts: pulumi.CustomResourceOptions,
): docker.Container {
  const labels = labelList(args.naming.labels(args.role)) as { label: string; value: pulumi.Input<string> }[];
  for (const key of Object.keys(args.labels ?? {}).sort())
    labels.push({ label: key, value: args.labels![key] });
  return new docker.Container(
    name,
    {
      name: args.containerName,
      image: args.image,
      envs: args.envs,
      labels,
      networksAdvanced: [{ name: args.networkName, aliases: args.aliases }],
      healthcheck: args.healthcheck,
      wait: true,
      waitTimeout: args.waitTimeoutSeconds,
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
    { deleteBeforeReplace: true, ...opts },
  );
}

/** The host port Docker published for `internal` (the configured one, or the free one it picked). */
export function publishedPort(container: docker.Container, internal: number): pulumi.Output<number> {
  return container.ports.apply((ports) => {
    const port = (ports ?? []).find((p) => p.internal === internal)?.external;
    if (port === undefined) throw new Error(`container port ${internal} is not published`);
    return port;
  });
}
