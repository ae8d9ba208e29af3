/**
 * The egress sinkhole (issue 14; the service is sinkhole/): a container on the stack's internal
 * network whose address is every tenant's upstream resolver, so any name the harness does not own
 * resolves to it, and whose every TCP port answers with a refusal and a journal entry. NET_ADMIN is
 * added to this container only (it redirects its own ports). `isolate` removes a tenant's default
 * route, so a literal outside address fails at once (no route) instead of timing out in the
 * internal network's drop rule.
 *
 * Boot: the tenants need the sinkhole's address, i.e. its container created (not healthy); its
 * image builds beside the others and is cached like them.
 */
import * as command from "@pulumi/command";
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { healthcheck } from "../program/lib/docker";
import { LABEL_ROLE, LABEL_STACK, type Naming } from "../program/lib/naming";
import { shellQuote } from "../program/lib/shell";
import { serviceContainer } from "./container";
import { commandEnvironment, type Engine } from "./engine";
import { repoServiceImage, type ImageBuilds } from "./local-image";
import { HarnessComponent } from "./component";

export interface SinkholeArgs {
  engine: Engine;
  repoRoot: string;
  nodeBase: docker.RemoteImage;
  /** The internal network (the tenants'). */
  networkName: pulumi.Input<string>;
  builds: ImageBuilds;
  waitTimeoutSeconds: number;
}

/** The script run in a tenant's network namespace: no default route, checked (pure). */
export function isolateCommand(naming: Naming, tenantContainer: string, image: string): string {
  const script = 'ip route del default 2>/dev/null; test -z "$(ip route show default)"';
  return [
    "docker run --rm --cap-add NET_ADMIN",
    `--network ${shellQuote(`container:${tenantContainer}`)}`,
    `--label ${shellQuote(`${LABEL_STACK}=${naming.stackLabel}`)} --label ${shellQuote(`${LABEL_ROLE}=sinkhole`)}`,
    `--entrypoint sh ${shellQuote(image)} -c ${shellQuote(script)}`,
  ].join(" ");
}

export class Sinkhole extends HarnessComponent {
  public readonly image: docker.RemoteImage;
  public readonly container: docker.Container;
  public readonly ready: pulumi.Output<docker.Container>;
  public readonly containerName: string;
  /** Its address on the internal network: the tenants' DNS upstream. */
  public readonly address: pulumi.Output<string>;
  private readonly args: SinkholeArgs;

  constructor(name: string, args: SinkholeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("Sinkhole", name, opts);
    this.args = args;
    this.containerName = this.naming.object("sinkhole");
    this.image = repoServiceImage(
      name,
      {
        naming: this.naming,
        engine: args.engine,
        role: "sinkhole",
        repoRoot: args.repoRoot,
        base: args.nodeBase,
        baseArg: "NODE_BASE",
        builds: args.builds,
      },
      this,
    );
    ({ container: this.container, ready: this.ready } = serviceContainer(
      this.child("container"),
      {
        naming: this.naming,
        engine: args.engine,
        role: "sinkhole",
        containerName: this.containerName,
        image: this.image.imageId,
        networkName: args.networkName,
        aliases: [],
        capabilities: ["NET_ADMIN"],
        healthcheck: healthcheck(["CMD", "test", "-f", "/tmp/sinkhole-ready"]),
        waitTimeoutSeconds: args.waitTimeoutSeconds,
      },
      this.childOpts(),
    ));
    this.address = pulumi.all([this.container.networkDatas, args.networkName]).apply(([datas, network]) => {
      const data = (datas ?? []).find((d) => d.networkName === network) ?? datas?.[0];
      if (!data?.ipAddress)
        throw new Error(`the sinkhole ${this.containerName} has no address on ${network}`);
      return data.ipAddress;
    });
    this.done({ containerName: this.containerName, address: this.address });
  }

  /** A tenant without a default route (re-run when the tenant container is replaced). */
  isolate(name: string, tenantContainer: string, tenantId: pulumi.Input<string>): command.local.Command {
    const { cli } = this.args.engine;
    return new command.local.Command(
      name,
      {
        create: pulumi.interpolate`${this.image.imageId}`.apply((image) =>
          cli.wrap(isolateCommand(this.naming, tenantContainer, image)),
        ),
        ...commandEnvironment(cli),
        triggers: [tenantId],
        addPreviousOutputInEnv: false,
        logging: "stderr",
      },
      this.childOpts(),
    );
  }
}
