/**
 * The stack's own bridge network: in-network DNS by alias, isolated from other stacks.
 *
 * Its name ends in a hash of everything that makes Docker replace a network (driver, `internal`,
 * labels), so a replacement is a new network beside the old one: the containers move to it (their
 * `networksAdvanced` name changes, which replaces them) and the old, now empty, network goes last. A
 * fixed name could not be created while the old network exists, nor removed while containers use it.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { labelList, type Naming } from "../lib/naming";

export interface HarnessNetworkArgs {
  naming: Naming;
  /** No gateway, no route out of the engine (Docker's `internal`). Default false. */
  internal?: boolean;
}

/** The network's Docker name for a given definition (pure). */
export function networkName(naming: Naming, spec: object): string {
  return `${naming.object("net")}-${createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 8)}`;
}

export class HarnessNetwork extends pulumi.ComponentResource {
  public readonly network: docker.Network;
  /** Docker network name, `<stack>-net-<8 hex>`. */
  public readonly networkName: pulumi.Output<string>;

  constructor(name: string, args: HarnessNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:index:Network", name, {}, opts);
    const spec = {
      driver: "bridge",
      internal: args.internal ?? false,
      labels: labelList(args.naming.labels("network")),
    };
    this.network = new docker.Network(
      `${name}-bridge`,
      { name: networkName(args.naming, spec), ...spec },
      { parent: this },
    );
    this.networkName = this.network.name;
    this.registerOutputs({ networkName: this.networkName });
  }
}
