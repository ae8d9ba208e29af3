/**
 * One component under plain `pulumi.runtime.setMocks` (preview: the health gate does not ask
 * Docker), recording what it declared: each resource's type, name, inputs and whether it is custom.
 * No SDK internals: what `newResource` sees is what these tests assert. One file per component,
 * since the mocks are global to the process; a file with several tests records once (a second
 * setMocks drops the resources a component is still registering outputs for: "unknown resource")
 * and gives each test resource names of its own.
 */
import * as pulumi from "@pulumi/pulumi";
import { DockerEngine } from "../engine";
import { DEFAULT_ENGINE } from "../../program/config/engine";

export interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  custom: boolean;
  provider?: string;
}

export const PROJECT = "harness";
export const STACK = "ci-7";

export interface RecordOptions {
  /** false: an `up` (the health gate asks the engine); default true, a preview. */
  preview?: boolean;
  /** A Command's stdout by resource name (the seed's, the runner's JSON), instead of `<name>-stdout`. */
  stdout?: Record<string, string>;
}

/** Installs the mocks; returns what is declared from now on. */
export async function recordDeclarations(options: RecordOptions = {}): Promise<Declared[]> {
  const declared: Declared[] = [];
  const stdoutOf = (name: string): string =>
    options.stdout?.[name] ?? (name.endsWith("-pick") ? "45678\n" : `${name}-stdout`);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        declared.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
          custom: args.custom !== false,
          provider: args.provider,
        });
        // Containers answer with an address, as the provider's network_data does; a Command with
        // its stdout (a picked port, a generated secret's value), an image its id: unknown in a preview otherwise.
        const state =
          args.type === "docker:index/container:Container"
            ? { ...args.inputs, networkDatas: [{ ipAddress: "172.30.0.9" }] }
            : args.type === "command:local:Command"
              ? { ...args.inputs, stdout: stdoutOf(args.name) }
              : args.type === "docker:index/remoteImage:RemoteImage"
                ? { ...args.inputs, imageId: `sha256:${args.name}` }
                : args.inputs;
        return { id: args.custom === false ? undefined : `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    STACK,
    options.preview ?? true,
  );
  return declared;
}

/** The default engine (Docker's defaults, loopback), as the program makes it. */
export function localEngine(): DockerEngine {
  return new DockerEngine("engine", DEFAULT_ENGINE);
}

/** The value of an Output once known. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** A container's (or a build's) labels, from the provider's list shape to an object. */
export function labelsOf(inputs: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    ((inputs.labels ?? []) as { label: string; value: string }[]).map((l) => [l.label, l.value]),
  );
}

/** Every declared resource of `type`, by name. */
export function allOf(declared: Declared[], type: string): string[] {
  return declared.filter((d) => d.type === type).map((d) => d.name);
}

/** The one declared resource of `type` named `name`; fails listing what there is. */
export function the(declared: Declared[], type: string, name: string): Declared {
  const found = declared.find((d) => d.type === type && d.name === name);
  if (!found) {
    throw new Error(
      `no ${type} named ${name}; declared: ${declared.map((d) => `${d.type} ${d.name}`).join(", ")}`,
    );
  }
  return found;
}
