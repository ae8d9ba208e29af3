/**
 * HarnessComponent under plain `setMocks`: the type token, the child-name rule, the parenting and
 * the stack's naming every component now takes from it — and that every component uses it.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { HarnessComponent } from "./component";

interface Registered {
  type: string;
  name: string;
  parent?: string;
}

test("a component: harness:index:<Kind>, children <name>-<part> parented to it, naming from the stack", async () => {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "proj",
    "ci-9",
    false,
  );

  class Thing extends pulumi.CustomResource {
    constructor(name: string, opts: pulumi.CustomResourceOptions) {
      super("test:index:Thing", name, {}, opts);
    }
  }
  class Probe extends HarnessComponent {
    readonly object: string;
    readonly child1: pulumi.CustomResource;
    constructor(name: string) {
      super("Probe", name);
      this.object = this.naming.object("probe");
      this.child1 = new Thing(this.child("thing"), this.childOpts());
      this.done({ object: this.object });
    }
  }
  const probe = new Probe("probe-a");
  const urn = await new Promise<string>((resolve) => probe.urn.apply(resolve));
  const childUrn = await new Promise<string>((resolve) => probe.child1.urn.apply(resolve));

  assert.match(urn, /::harness:index:Probe::probe-a$/);
  assert.equal(probe.object, "ci-9-probe", "Docker object names come from the running stack");
  assert.match(
    childUrn,
    /::harness:index:Probe\$test:index:Thing::probe-a-thing$/,
    "named <name>-<part>, parented",
  );
  assert.ok(registered.some((r) => r.type === "test:index:Thing" && r.name === "probe-a-thing"));
});

test("every component class in components/ extends HarnessComponent", () => {
  const dir = __dirname;
  const offenders = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "component.ts")
    .filter((f) => /extends pulumi\.ComponentResource/.test(readFileSync(join(dir, f), "utf8")));
  assert.deepEqual(offenders, [], "use HarnessComponent (components/component.ts)");
});
