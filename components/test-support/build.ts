/**
 * The `build` block of a built image, as a resource declared it: shared by the component tests
 * (components/test-support/declare.ts) and the whole-program tests (tests/pulumi/test-support.ts).
 * No Pulumi import, so either can load it.
 */
import assert from "node:assert/strict";

/** A type alias, not an interface: it goes where a plain record does (imageTag). */
export type BuildInput = {
  context: string;
  dockerfile: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  useLegacyBuilder: boolean;
  target?: string;
};

export function buildOf(resource: { name: string; inputs: Record<string, unknown> }): BuildInput {
  assert.ok(resource.inputs.build, `${resource.name} has a build block`);
  return resource.inputs.build as BuildInput;
}
