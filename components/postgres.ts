/**
 * One tenant's own Postgres (production runs one database per tenant), with a per-stack generated
 * password, reachable in the network as `postgres-<tenant>` and from the host on a random port of
 * the engine's publish address (loopback by default; replays seed data and assert on it directly).
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { HEALTHCHECKS, healthcheck } from "../program/lib/docker";
import { ALIASES, PORTS, POSTGRES_DB, POSTGRES_USER } from "../program/lib/naming";
import { serviceContainer } from "./container";
import type { Engine } from "./engine";
import { HostPort } from "./host-port";
import { GeneratedSecret } from "./generated-secret";
import { HarnessComponent } from "./component";

export interface PostgresArgs {
  engine: Engine;
  tenant: string;
  /** The stack's postgres image (components/postgres-image.ts): initialised at build. */
  image: pulumi.Input<string>;
  networkName: pulumi.Input<string>;
  /** The bridge its published ports are on (it is dual-homed; components/container.ts). */
  publishNetworkName: pulumi.Input<string>;
  waitTimeoutSeconds: number;
}

export class Postgres extends HarnessComponent {
  public readonly container: docker.Container;
  /** The container once healthy (the health gate): what dependents wait for. */
  public readonly ready: pulumi.Output<docker.Container>;
  public readonly containerName: string;
  /** In-network host name. */
  public readonly alias: string;
  public readonly password: pulumi.Output<string>;
  /** Published port (on the engine's publish address). */
  public readonly hostPort: pulumi.Output<number>;
  /** DATABASE_URL inside the network (secret: it carries the password). */
  public readonly internalUrl: pulumi.Output<string>;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("Postgres", name, opts);
    this.alias = ALIASES.postgres(args.tenant);
    this.containerName = this.naming.object(`postgres-${args.tenant}`);
    this.hostPort = new HostPort(
      this.child("port"),
      { bindAddress: args.engine.publishAddress, engine: args.engine },
      this.childOpts(),
    ).port;
    this.password = new GeneratedSecret(this.child("password"), { kind: "password" }, this.childOpts()).value;
    ({ container: this.container, ready: this.ready } = serviceContainer(
      this.child("container"),
      {
        naming: this.naming,
        engine: args.engine,
        role: "postgres",
        containerName: this.containerName,
        image: args.image,
        networkName: args.networkName,
        publishNetworkName: args.publishNetworkName,
        aliases: [this.alias],
        // The image's own start sets this password; user and database are baked in at build.
        envs: pulumi.secret(this.password).apply((pw) => [`POSTGRES_PASSWORD=${pw}`]),
        healthcheck: healthcheck([...HEALTHCHECKS.postgres(POSTGRES_USER, POSTGRES_DB)]),
        ports: [{ internal: PORTS.postgres, external: this.hostPort, ip: args.engine.publishAddress }],
        labels: { "harness.tenant": args.tenant },
        waitTimeoutSeconds: args.waitTimeoutSeconds,
      },
      this.childOpts(),
    ));
    this.internalUrl = pulumi.secret(
      pulumi.interpolate`postgres://${POSTGRES_USER}:${this.password.apply(encodeURIComponent)}@${this.alias}:${PORTS.postgres}/${POSTGRES_DB}?sslmode=disable`,
    );
    this.done({ containerName: this.containerName, hostPort: this.hostPort });
  }
}
