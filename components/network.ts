/** The stack's own bridge network: in-network DNS by alias, isolated from other stacks. */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { labelList, type Naming } from "../lib/naming";

export interface HarnessNetworkArgs {
  naming: Naming;
}

export class HarnessNetwork extends pulumi.ComponentResource {
  public readonly network: docker.Network;
  /** Docker network name, `<stack>-net`. */
  public readonly networkName: pulumi.Output<string>;

  constructor(name: string, args: HarnessNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:index:Network", name, {}, opts);
    this.network = new docker.Network(
      `${name}-bridge`,
      { name: args.naming.object("net"), driver: "bridge", labels: labelList(args.naming.labels("network")) },
      { parent: this },
    );
    this.networkName = this.network.name;
    this.registerOutputs({ networkName: this.networkName });
  }
}
