/**
 * The built plugins speak the npm SDKs' language: every input and output property the @pulumi/docker
 * and @pulumi/command SDKs send or read (resources, their nested types, the provider's config) exists
 * in the schema the toolchain's plugin serves, under the same name, and the other way round. The
 * docker plugin bridges kreuzwerker's provider at a different commit than the one SDK 5.2.0 was
 * generated from (tools/toolchain/README.md); this is what proves the two still fit, and what fails when
 * either side moves. The schema comes from the plugin itself, through the CLI, with downloads off.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { before, describe, test } from "node:test";
import { toolchainEnv } from "../../scripts/pulumi/toolchain";
import { REPO_ROOT, toolchainCli } from "./test-support";

const run = promisify(execFile);

interface Schema {
  name: string;
  resources: Record<
    string,
    { inputProperties?: Record<string, unknown>; properties?: Record<string, unknown> }
  >;
  types: Record<string, { properties?: Record<string, unknown> }>;
  config?: { variables?: Record<string, unknown> };
  provider?: { inputProperties?: Record<string, unknown> };
}

async function pluginSchema(name: string): Promise<Schema> {
  const cli = await toolchainCli();
  const env = { ...process.env, ...toolchainEnv(cli.toolchain!), PULUMI_SKIP_UPDATE_CHECK: "true" };
  const version = cli.toolchain!.plugins[name as "docker" | "command"];
  const { stdout } = await run(cli.toolchain!.pulumi, ["package", "get-schema", `${name}@${version}`], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Schema;
}

const sdkDir = (pkg: string) => join(REPO_ROOT, "node_modules", "@pulumi", pkg);

/** What a generated SDK resource class sends (`args?.x`), and every property it knows (its state). */
function sdkResource(file: string): { inputs: Set<string>; state: Set<string> } {
  const js = readFileSync(file, "utf8");
  return {
    inputs: new Set([...js.matchAll(/resourceInputs\["(\w+)"\] = args\?\.\w+/g)].map((m) => m[1])),
    state: new Set([...js.matchAll(/resourceInputs\["(\w+)"\]/g)].map((m) => m[1]).filter((k) => k !== "id")),
  };
}

/** The token a generated SDK class registers (`__pulumiType = 'docker:index/container:Container'`). */
function sdkToken(file: string): string | undefined {
  return /__pulumiType = ['"]([^'"]+)['"]/.exec(readFileSync(file, "utf8"))?.[1];
}

function diff(what: string, sdk: Set<string>, schema: Set<string>): string[] {
  return [
    ...[...sdk].filter((k) => !schema.has(k)).map((k) => `${what}: the SDK has ${k}, the plugin does not`),
    ...[...schema].filter((k) => !sdk.has(k)).map((k) => `${what}: the plugin has ${k}, the SDK does not`),
  ];
}

describe("the toolchain's plugins fit the npm SDKs", () => {
  let docker: Schema;
  let command: Schema;
  before(async () => {
    [docker, command] = await Promise.all([pluginSchema("docker"), pluginSchema("command")]);
  });

  test("docker: every bridged resource, property for property (inputs and state)", () => {
    const problems: string[] = [];
    let compared = 0;
    for (const file of readdirSync(sdkDir("docker")).filter((f) => f.endsWith(".js"))) {
      const token = sdkToken(join(sdkDir("docker"), file));
      // The provider class registers as plain `docker`: compared below with the config.
      if (!token || !token.includes(":")) continue;
      const resource = docker.resources[token];
      if (!resource) {
        // The one native resource of pulumi-docker, which the program does not use (it builds with
        // RemoteImage): documented in tools/toolchain/README.md.
        if (token === "docker:index/image:Image") continue;
        problems.push(`${token}: in the SDK, not in the plugin`);
        continue;
      }
      compared++;
      const sdk = sdkResource(join(sdkDir("docker"), file));
      problems.push(
        ...diff(`${token} inputs`, sdk.inputs, new Set(Object.keys(resource.inputProperties ?? {}))),
      );
      const state = new Set(Object.keys(resource.properties ?? {}));
      problems.push(...diff(`${token} state`, sdk.state, state));
    }
    assert.deepEqual(problems, []);
    assert.ok(compared >= 10, `compared ${compared} resources`);
    for (const used of ["Container", "Network", "RemoteImage"]) {
      const token = `docker:index/${used[0].toLowerCase()}${used.slice(1)}:${used}`;
      assert.ok(docker.resources[token], `${token}, which the program uses`);
    }
  });

  test("docker: every nested type the SDK declares, property for property", () => {
    const src = readFileSync(join(sdkDir("docker"), "types", "input.d.ts"), "utf8");
    const byName = new Map(Object.entries(docker.types).map(([tok, t]) => [tok.split(":").pop()!, t]));
    const problems: string[] = [];
    let compared = 0;
    for (const m of src.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
      const type = byName.get(m[1]);
      if (!type) continue; // types of the native Image and of data-source arguments
      compared++;
      const sdk = new Set([...m[2].matchAll(/^ {4}(\w+)\??:/gm)].map((x) => x[1]));
      problems.push(...diff(m[1], sdk, new Set(Object.keys(type.properties ?? {}))));
    }
    assert.deepEqual(problems, []);
    assert.ok(compared >= 50, `compared ${compared} types`);
  });

  test("docker: the provider's configuration", () => {
    const js = readFileSync(join(sdkDir("docker"), "provider.js"), "utf8");
    const sdk = new Set([...js.matchAll(/resourceInputs\["(\w+)"\]/g)].map((m) => m[1]));
    assert.deepEqual(diff("provider", sdk, new Set(Object.keys(docker.provider?.inputProperties ?? {}))), []);
  });

  test("command: local.Command, inputs and state", () => {
    const resource = command.resources["command:local:Command"];
    assert.ok(resource, "command:local:Command");
    const sdk = sdkResource(join(sdkDir("command"), "local", "command.js"));
    assert.deepEqual(
      [
        ...diff("inputs", sdk.inputs, new Set(Object.keys(resource.inputProperties ?? {}))),
        ...diff(
          "state",
          new Set([...sdk.state].filter((k) => k !== "id")),
          new Set(Object.keys(resource.properties ?? {})),
        ),
      ],
      [],
    );
  });
});
