/**
 * The policy pack on the real engine: `pulumi preview --policy-pack tools/policy/analyzer` with the
 * toolchain's CLI (no Node.js language host: the CLI starts the pack as an executable analyzer),
 * the program run inline through the Automation API, each stack in a scratch work dir with its own
 * file backend. A preview builds nothing and starts no container.
 *
 *   - the harness program with a coherent production file: every policy passes;
 *   - one more production variable: the preview fails, naming it;
 *   - a program that breaks every invariant: the preview fails, naming each;
 *   - `--policy-pack tools/policy` (the directory form) needs the Node.js language host.
 *
 * Needs the toolchain (`npm run pulumi:toolchain`) and a Docker engine; fails, never skips, without.
 */
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { parse, stringify } from "yaml";
import { findPulumiCli, openStack, type PulumiCli } from "../../scripts/pulumi/engine";

const ROOT = resolve(__dirname, "..", "..");
const ANALYZER = join(ROOT, "tools", "policy", "analyzer");
const scratch = mkdtempSync(join(tmpdir(), "harness-policy-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function toolchainCli(): Promise<PulumiCli> {
  const cli = await findPulumiCli(ROOT, { ...process.env, PATH: "/nonexistent" });
  if (!cli?.toolchain)
    throw new Error("needs the toolchain: run `npm run pulumi:toolchain` (Go ≥ 1.26) first");
  return cli;
}

const e2e = (
  parse(readFileSync(join(ROOT, "Pulumi.e2e.yaml"), "utf8")) as { config: Record<string, unknown> }
).config;
let n = 0;

/** Previews `program` (default: the harness) on a fresh stack with `config`; the error, or undefined. */
async function preview(
  config: Record<string, unknown>,
  opts: { program?: () => Promise<Record<string, unknown>>; pack?: string } = {},
): Promise<{ error?: string; output: string }> {
  const dir = join(scratch, `s${n++}`);
  const workDir = join(dir, "work");
  mkdirSync(workDir, { recursive: true });
  mkdirSync(join(dir, "state"));
  const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
  delete project.main;
  delete project.backend;
  writeFileSync(join(workDir, "Pulumi.yaml"), stringify(project));
  const stackName = `policy-${process.pid}-${n}`;
  writeFileSync(join(workDir, `Pulumi.${stackName}.yaml`), stringify({ config }));
  const stack = await openStack({
    workDir,
    stackName,
    cli: await toolchainCli(),
    env: {
      PULUMI_BACKEND_URL: `file://${join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "harness-local-only",
    },
    program: opts.program,
  });
  let output = "";
  try {
    await stack.preview({ policyPacks: [opts.pack ?? ANALYZER], onOutput: (t) => (output += t) });
    return { output };
  } catch (error) {
    return { error: (error as Error).message, output };
  }
}

const prodFile = (extra = ""): string => {
  const file = join(scratch, `prod-${n}.yaml`);
  const k8s = readFileSync(join(ROOT, "tools/config-lint/fixtures/k8s/tenant.yaml"), "utf8");
  writeFileSync(file, extra ? k8s.replace("          env:\n", `          env:\n${extra}`) : k8s);
  return file;
};

test("the harness with a coherent production file: every policy of the pack passes", async () => {
  const r = await preview({ ...e2e, "harness:production": { path: prodFile() } });
  assert.equal(r.error, undefined, r.error);
  assert.match(r.output, /✅ harness@v0\.1\.0 \(local: .*policy\/analyzer\)/);
});

test("one more production variable: the preview fails, naming it", async () => {
  const extra = "            - name: FEATURE_FLAGS_URL\n              value: https://flags.moleculesai.app\n";
  const r = await preview({ ...e2e, "harness:production": { path: prodFile(extra) } });
  assert.ok(r.error, "the preview fails");
  assert.match(r.output, /\[mandatory\] {2}harness-production-coherence/);
  assert.match(r.output, /missing FEATURE_FLAGS_URL \(tenants alpha, beta\): production sets it \(env\)/);
});

test("a program breaking every invariant: the preview fails, each policy naming what", async () => {
  const token = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA";
  const program = async () => {
    const stack = `${pulumi.getProject()}/${pulumi.getStack()}`;
    new docker.Container("tenant-rogue", {
      name: "rogue",
      image: "harness-local/node:20",
      labels: [
        { label: "harness.stack", value: stack },
        { label: "harness.role", value: "tenant" },
        { label: "harness.tenant", value: "rogue" },
      ],
      ports: [{ internal: 8080, external: 18080, ip: "0.0.0.0" }],
      envs: [`ADMIN_TOKEN=${token}`, "MOLECULE_CP_URL=https://api.moleculesai.app"],
    });
    new docker.Container("unlabelled", { name: "unlabelled", image: "harness-local/node:20" });
    new command.local.Command("leak", { create: `echo ${token}`, environment: { T: pulumi.secret(token) } });
    return {};
  };
  const r = await preview({}, { program });
  assert.ok(r.error, "the preview fails");
  for (const expected of [
    /harness-stack-labels .*\n.*\n.*no harness\.stack label/,
    /harness-loopback-ports .*\n.*\n.*port 18080→8080 is published on 0\.0\.0\.0, not loopback/,
    /harness-tenant-urls-inside .*\n.*\n.*tenant rogue: MOLECULE_CP_URL points outside the harness \(https:\/\/api\.moleculesai\.app\)/,
    /harness-secrets-in-secret-inputs .*\n.*\n.*ADMIN_TOKEN is secret-looking but the container's envs are not a secret input/,
    /a secret value appears in the input create, which is not secret/,
  ]) {
    assert.match(r.output, expected);
  }
  // The violations name variables and paths, never the value (the preview's own diff may show the
  // leaked input: that is the leak).
  const policies = r.output.slice(r.output.indexOf("Policies:"));
  assert.ok(!policies.slice(0, policies.search(/\n\S/)).includes(token), "no violation carries the token");
});

test("`--policy-pack tools/policy` (the directory) starts the pack through the Node.js language host", async () => {
  const r = await preview({ ...e2e }, { pack: join(ROOT, "tools", "policy") });
  if (r.error) {
    // The toolchain's CLI has none (its Go module is refused by the proxy: tools/toolchain/README.md).
    assert.match(r.error, /no language plugin 'pulumi-language-nodejs' found/);
  } else {
    assert.match(r.output, /harness@v0\.1\.0/);
  }
});
