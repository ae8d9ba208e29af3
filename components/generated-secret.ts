/**
 * A per-stack secret: the configured value when there is one, else random bytes generated ONCE by a
 * local.Command and kept in state. A later `up` does not re-run the command (no triggers; `create` is
 * ignored if the program's command text ever changes), so the value — and every container that
 * carries it — stays put. Never logged; marked secret in state and outputs.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { randomSecretCommand, type SecretKind } from "../lib/docker";

export interface GeneratedSecretArgs {
  kind: SecretKind;
  /** From config (already validated); wins over generation. */
  configured?: string;
}

export class GeneratedSecret extends pulumi.ComponentResource {
  public readonly value: pulumi.Output<string>;

  constructor(name: string, args: GeneratedSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:index:GeneratedSecret", name, {}, opts);
    if (args.configured !== undefined) {
      this.value = pulumi.secret(args.configured);
    } else {
      const random = new command.local.Command(
        `${name}-random`,
        { create: randomSecretCommand(args.kind), logging: "none", addPreviousOutputInEnv: false },
        { parent: this, additionalSecretOutputs: ["stdout", "stderr"], ignoreChanges: ["create"] },
      );
      this.value = pulumi.secret(random.stdout);
    }
    this.registerOutputs({ value: this.value });
  }
}
