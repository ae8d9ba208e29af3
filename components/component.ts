/**
 * The base of every harness component (sst's `Component`, smaller): it owns what each one used to
 * restate. The type token is `harness:index:<Kind>` (URNs depend on it: never change a kind), the
 * stack's naming (program/lib/naming.ts: Docker object names, image repositories, labels) comes from the
 * project and stack the program runs in rather than through every args type, children are named
 * `<name>-<part>` and parented here, and `done` registers the outputs last.
 */
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../program/lib/naming";

export abstract class HarnessComponent extends pulumi.ComponentResource {
  /** The stack's names and labels: `<stack>-<part>` objects, `harness-<stack>/<role>` images. */
  protected readonly naming: Naming;
  readonly #name: string;

  constructor(kind: string, name: string, opts?: pulumi.ComponentResourceOptions) {
    super(`harness:index:${kind}`, name, {}, opts);
    this.#name = name;
    this.naming = new Naming(pulumi.getProject(), pulumi.getStack());
  }

  /** A child resource's name: `<this component's name>-<part>`. */
  protected child(part: string): string {
    return `${this.#name}-${part}`;
  }

  /** A child's options: parented here, plus `extra`. */
  protected childOpts<T extends pulumi.ResourceOptions>(extra?: T): T & { parent: pulumi.Resource } {
    return { ...(extra as T), parent: this };
  }

  /** The component's outputs, registered once everything is declared. */
  protected done(outputs: pulumi.Inputs = {}): void {
    this.registerOutputs(outputs);
  }
}
