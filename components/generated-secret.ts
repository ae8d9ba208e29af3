/**
 * A per-stack secret: the configured value when there is one, else random bytes generated ONCE by a
 * local.Command and kept in state. A later `up` does not re-run the command (no triggers; `create` is
 * ignored if the program's command text ever changes), so the value — and every container that
 * carries it — stays put. Never logged; marked secret in state and outputs.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { randomSecretCommand, type SecretKind } from "../program/lib/docker";
import { HarnessComponent } from "./component";

export interface GeneratedSecretArgs {
  kind: SecretKind;
  /** From config (already validated); wins over generation. */
  configured?: string;
}

export class GeneratedSecret extends HarnessComponent {
  public readonly value: pulumi.Output<string>;

  constructor(name: string, args: GeneratedSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("GeneratedSecret", name, opts);
    if (args.configured !== undefined) {
      this.value = pulumi.secret(args.configured);
    } else {
      const random = new command.local.Command(
        this.child("random"),
        { create: randomSecretCommand(args.kind), logging: "none", addPreviousOutputInEnv: false },
        this.childOpts({ additionalSecretOutputs: ["stdout", "stderr"], ignoreChanges: ["create"] }),
      );
      this.value = pulumi.secret(random.stdout);
    }
    this.done({ value: this.value });
  }
}
