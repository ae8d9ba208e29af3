/**
 * The stack's own bridge network: in-network DNS by alias, isolated from other stacks.
 *
 * Its name ends in a hash of its definition (driver, `internal`, labels), so a change is a new
 * network beside the old one: the containers move to it (their network changes, which replaces
 * them) and the old, now empty, network goes last. A fixed name could not be created while the old
 * network exists, nor removed while containers use it.
 *
 * A local.Command runs `docker network create`/`rm` rather than a docker.Network: the docker
 * provider waits a fixed 2 s after creating a network and 2 s after removing one (its read and
 * delete poll with a 2 s initial delay), which alone would take the boot and the teardown past
 * their budgets; the CLI takes a tenth of a second. Both commands are idempotent (an existing
 * network of this name is this stack's; a missing one is already removed), and they reach the
 * engine the provider reaches: the Command carries the engine's settings (program/lib/engine.ts), so its
 * delete, run from state, still does.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { labelList, type Naming } from "../program/lib/naming";
import { shellQuote } from "../program/lib/shell";
import { commandEnvironment, type Engine } from "./engine";
import { HarnessComponent } from "./component";

export interface HarnessNetworkArgs {
  /** The engine the network is created on (the Commands' docker CLI settings). */
  engine: Engine;
  /** No gateway, no route out of the engine (Docker's `internal`). Default false. */
  internal?: boolean;
  /** The name's middle part, `<stack>-<part>-<hash>` (default "net"): two networks of one stack differ. */
  part?: string;
}

export interface NetworkSpec {
  driver: string;
  internal: boolean;
  labels: { label: string; value: string }[];
}

/** The network's Docker name for a given definition (pure). */
export function networkName(naming: Naming, spec: NetworkSpec, part = "net"): string {
  return `${naming.object(part)}-${createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 8)}`;
}

/** The Command's create and delete (pure). */
export function networkCommands(name: string, spec: NetworkSpec): { create: string; delete: string } {
  const create = [
    "docker",
    "network",
    "create",
    "--driver",
    spec.driver,
    ...(spec.internal ? ["--internal"] : []),
    ...spec.labels.flatMap((l) => ["--label", `${l.label}=${l.value}`]),
    name,
  ]
    .map(shellQuote)
    .join(" ");
  const n = shellQuote(name);
  return {
    create: `docker network inspect ${n} >/dev/null 2>&1 || ${create} >/dev/null`,
    delete: `docker network rm ${n} >/dev/null 2>&1 || ! docker network inspect ${n} >/dev/null 2>&1`,
  };
}

export class HarnessNetwork extends HarnessComponent {
  public readonly network: command.local.Command;
  /** Docker network name, `<stack>-net-<8 hex>`; resolves once the network exists. */
  public readonly networkName: pulumi.Output<string>;

  constructor(name: string, args: HarnessNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("Network", name, opts);
    const spec: NetworkSpec = {
      driver: "bridge",
      internal: args.internal ?? false,
      labels: labelList(this.naming.labels("network")),
    };
    const docker = networkName(this.naming, spec, args.part);
    const commands = networkCommands(docker, spec);
    const { cli } = args.engine;
    this.network = new command.local.Command(
      this.child("bridge"),
      // The name is the definition: a new one replaces the network (created before the old goes).
      {
        create: cli.wrap(commands.create),
        delete: cli.wrap(commands.delete),
        ...commandEnvironment(cli),
        triggers: [docker],
        addPreviousOutputInEnv: false,
        logging: "stderr",
      },
      this.childOpts(),
    );
    this.networkName = this.network.id.apply(() => docker);
    this.done({ networkName: this.networkName });
  }
}
