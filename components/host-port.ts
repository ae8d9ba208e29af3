/**
 * A host port for a published container port: the configured one, or a free one picked ONCE, on
 * the first `up`, by a local.Command whose output stays in state (on a remote engine, one that no
 * container there publishes: program/lib/engine.ts `enginePortCommand`). Docker's own pick (no host port)
 * would change whenever the container is replaced, and with it every URL the seed, the replays and
 * the outputs use: replacing the edge would re-run the seed. A picked port is the stack's until
 * destroy.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { freePortCommand } from "../program/lib/docker";
import { enginePortCommand } from "../program/lib/engine";
import { commandEnvironment, type Engine } from "./engine";
import { HarnessComponent } from "./component";

export interface HostPortArgs {
  /** The address Docker binds the port on (the free-port check binds the same). */
  bindAddress: string;
  /** A configured port; 0 or undefined = pick a free one once. */
  port?: number;
  /** The engine that publishes the port. */
  engine: Engine;
}

export function parsePort(stdout: string): number {
  const text = stdout.trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new Error(`picking a free port printed ${JSON.stringify(stdout)}, not a port`);
  }
  return port;
}

export class HostPort extends HarnessComponent {
  public readonly port: pulumi.Output<number>;

  constructor(name: string, args: HostPortArgs, opts?: pulumi.ComponentResourceOptions) {
    super("HostPort", name, opts);
    if (args.port) {
      this.port = pulumi.output(args.port);
    } else {
      const { cli, remote } = args.engine;
      const pick = new command.local.Command(
        this.child("pick"),
        {
          create: remote ? cli.wrap(enginePortCommand()) : freePortCommand(args.bindAddress),
          ...(remote ? commandEnvironment(cli) : {}),
          addPreviousOutputInEnv: false,
          logging: "none",
        },
        // Never re-run: not when the command's text changes, not on any later `up`.
        this.childOpts({ ignoreChanges: ["create"] }),
      );
      // A port is no secret, even when the pick's environment carried the engine's key.
      this.port = pulumi.unsecret(pick.stdout).apply(parsePort);
    }
    this.done({ port: this.port });
  }
}
