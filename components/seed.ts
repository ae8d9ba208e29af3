/**
 * Seeds every tenant through the edge once the edge is healthy (runner/cli.ts seed): two workspaces
 * per tenant, whose server-assigned ids become the `seed` output and the replays' HARNESS_SEED.
 * Re-runs only when a tenant container is replaced (a new container means a new database too).
 * A seed failure is a harness failure: non-zero exit fails the `up`.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { TARGET_ENV } from "../program/contracts/target";
import type { SeedResult } from "../program/contracts/seed";
import { parseSeed, seedCommand } from "../runner/invoke";
import { HarnessComponent } from "./component";

export interface SeedArgs {
  repoRoot: string;
  /** HARNESS_TARGET JSON (secret: admin tokens, database URLs). */
  target: pulumi.Input<string>;
  /** Ids of the tenant containers: a replaced tenant re-seeds. */
  tenantContainerIds: pulumi.Input<string>[];
  /** Every container, once healthy (their health gates): seeding waits for them. */
  after: pulumi.Input<pulumi.Resource>[];
}

export class Seed extends HarnessComponent {
  public readonly command: command.local.Command;
  public readonly stdout: pulumi.Output<string>;
  public readonly result: pulumi.Output<SeedResult>;

  constructor(name: string, args: SeedArgs, opts?: pulumi.ComponentResourceOptions) {
    super("Seed", name, opts);
    const create = seedCommand(args.repoRoot);
    this.command = new command.local.Command(
      this.child("command"),
      {
        create,
        update: create,
        dir: args.repoRoot,
        environment: { [TARGET_ENV]: pulumi.secret(args.target) },
        triggers: args.tenantContainerIds,
        addPreviousOutputInEnv: false,
        // Progress is streamed from stderr; stdout is the JSON result.
        logging: "stderr",
      },
      this.childOpts({ dependsOn: args.after }),
    );
    // The command's outputs are secret because its environment is; the seed's ids are not.
    this.stdout = pulumi.unsecret(this.command.stdout);
    this.result = this.stdout.apply(parseSeed);
    this.done({ result: this.result });
  }
}
