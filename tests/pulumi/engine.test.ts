/**
 * L2: `harness:engine` through the program (under mocks). One explicit docker provider carries the
 * engine to every docker resource; the program's own docker calls (the network Command, the port
 * picks) carry the same settings; every published port binds on `publishAddress` and every URL the
 * seed, the runner and the outputs use names `clientAddress`. Without it, nothing changes.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { enginePortCommand, MATERIAL_ENV } from "../../program/lib/engine";
import { freePortCommand } from "../../program/lib/docker";
import { COMMAND, CONTAINER, Graph, load, pickedPort, type BuildInput } from "./test-support";

const PROVIDER = "pulumi:providers:docker";
const certs = mkdtempSync(join(tmpdir(), "harness-engine-l2-"));
after(() => rmSync(certs, { recursive: true, force: true }));

/** Every docker resource names the stack's one explicit provider; nothing uses the default one. */
function assertOneProvider(g: Graph): void {
  const providers = g.ofType(PROVIDER);
  assert.deepEqual(
    providers.map((p) => p.name),
    ["engine-provider"],
  );
  const docker = g.result.resources.filter((r) => r.custom && r.type.startsWith("docker:"));
  assert.ok(docker.length >= 12, "containers and images");
  for (const r of docker) {
    assert.ok(
      r.provider?.startsWith(`${providers[0].urn}::`),
      `${r.type} ${r.name} uses the engine's provider`,
    );
  }
}

describe("without harness:engine", () => {
  let g: Graph;
  before(async () => {
    g = new Graph(await load({}));
  });

  test("an explicit provider with no setting (Docker's defaults, as the default provider had)", () => {
    assertOneProvider(g);
    assert.deepEqual(g.get("engine-provider").inputs, {});
  });

  test("the Commands inherit their environment, ports are picked on loopback: as before", () => {
    assert.equal(g.get("network-bridge").inputs.environment, undefined);
    for (const pick of ["cp-stub-port-pick", "postgres-alpha-port-pick"]) {
      assert.equal(g.get(pick).inputs.create, freePortCommand("127.0.0.1"));
      assert.equal(g.get(pick).inputs.environment, undefined);
    }
    const target = JSON.parse(
      (g.get("seed-command").inputs.environment as Record<string, string>).HARNESS_TARGET,
    ) as Record<string, unknown>;
    assert.equal(target.engine, undefined, "HARNESS_TARGET as before");
    assert.deepEqual(g.result.outputs.engine, {
      host: null,
      publishAddress: "127.0.0.1",
      clientAddress: "127.0.0.1",
    });
  });
});

describe("a remote engine over mutual TLS (a cert directory)", () => {
  let g: Graph;
  const engine = {
    host: "tcp://10.213.7.2:2376",
    tls: { certPath: certs },
    publishAddress: "10.213.7.2",
    clientAddress: "10.213.7.2",
  };
  before(async () => {
    for (const f of ["ca.pem", "cert.pem", "key.pem"]) writeFileSync(join(certs, f), "-");
    g = new Graph(await load({ "harness:engine": engine, "harness:edge": { port: 0 } }));
  });

  test("the provider carries host and certPath to every container and image, builds included", () => {
    assertOneProvider(g);
    assert.deepEqual(g.get("engine-provider").inputs, { host: engine.host, certPath: certs });
    assert.ok(
      (g.get("tenant-image-image").inputs.build as BuildInput).context,
      "a build goes through it too",
    );
  });

  test("every published port binds on the publish address", () => {
    for (const c of g.ofType(CONTAINER)) {
      for (const p of (c.inputs.ports ?? []) as { ip: string }[]) assert.equal(p.ip, "10.213.7.2", c.name);
    }
  });

  test("the network Command and the port picks talk to the engine, from their own environment", () => {
    const env = { DOCKER_HOST: engine.host, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs };
    assert.deepEqual(g.get("network-bridge").inputs.environment, env);
    for (const pick of ["cf-proxy-port-pick", "cp-stub-port-pick", "postgres-beta-port-pick"]) {
      const cmd = g.get(pick);
      assert.equal(cmd.type, COMMAND);
      assert.equal(cmd.inputs.create, enginePortCommand(), "a port no container on the engine publishes");
      assert.deepEqual(cmd.inputs.environment, env);
    }
  });

  test("the seed, the runner and the outputs dial the client address; the runner reads logs there", () => {
    const target = JSON.parse(
      (g.get("seed-command").inputs.environment as Record<string, string>).HARNESS_TARGET,
    ) as {
      edgeUrl: string;
      cpStubUrl: string;
      tenants: { databaseUrl: string }[];
      engine: unknown;
    };
    const edge = pickedPort(g, "cf-proxy-port");
    assert.equal(target.edgeUrl, `http://10.213.7.2:${edge}`);
    assert.equal(target.cpStubUrl, `http://10.213.7.2:${pickedPort(g, "cp-stub-port")}`);
    assert.match(target.tenants[0].databaseUrl, /^postgres:\/\/harness:[^@]+@10\.213\.7\.2:\d+\/molecule/);
    assert.deepEqual(target.engine, { host: engine.host, certPath: certs });
    const o = g.result.outputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(o.edgeUrl, `http://10.213.7.2:${edge}`);
    assert.equal(
      o.tenants.alpha.url,
      `http://10.213.7.2:${edge}`,
      "the edge's address (send the Host header)",
    );
    assert.equal(o.tenants.alpha.host, "harness-tenant-alpha.localhost");
    assert.match(o.tenants.beta.databaseUrl, /@10\.213\.7\.2:\d+\//);
    assert.deepEqual(o.engine, {
      host: engine.host,
      publishAddress: "10.213.7.2",
      clientAddress: "10.213.7.2",
    });
  });
});

describe("a remote engine with its certificates as secret config", () => {
  const pem = (what: string) => `-----BEGIN ${what}-----\nMIIB\n-----END ${what}-----\n`;
  const tls = { ca: pem("CERTIFICATE"), cert: pem("CERTIFICATE"), key: pem("PRIVATE KEY") };
  let g: Graph;
  before(async () => {
    g = new Graph(
      await load(
        { "harness:engine": { host: "tcp://10.213.7.2:2376", tls } },
        { secretKeys: ["harness:engine"] },
      ),
    );
  });

  test("the material reaches the provider as secrets, and the Commands as secret environment", () => {
    const provider = g.get("engine-provider");
    assert.deepEqual(provider.inputs, {
      host: "tcp://10.213.7.2:2376",
      caMaterial: tls.ca,
      certMaterial: tls.cert,
      keyMaterial: tls.key,
    });
    assert.deepEqual(provider.secretInputs.sort(), ["caMaterial", "certMaterial", "keyMaterial"]);
    const network = g.get("network-bridge");
    const env = network.inputs.environment as Record<string, string>;
    assert.equal(env[MATERIAL_ENV.key], tls.key);
    assert.ok(
      network.secretInputs.some((p) => p.startsWith("environment")),
      "the key is a secret in the Command's state",
    );
    // Written to a private temporary directory for the one call; never on the command line.
    assert.match(String(network.inputs.create), /^DOCKER_CERT_PATH=\$\(mktemp -d\) && trap /);
    assert.ok(!String(network.inputs.create).includes("PRIVATE KEY"));
    assert.ok(!String(network.inputs.delete).includes("PRIVATE KEY"));
  });

  test("the same material in plain (not secret) config is refused before anything is declared", async () => {
    const result = await load({ "harness:engine": { host: "tcp://10.213.7.2:2376", tls } });
    assert.match(result.error?.message ?? "", /harness:engine\.tls: is not a secret/);
    assert.ok(!(result.error?.message ?? "").includes("MIIB"), "the material is never echoed");
    assert.deepEqual(
      result.resources.map((r) => r.type),
      ["pulumi:pulumi:Stack"],
    );
  });
});

test("a publish address on all interfaces is refused", async () => {
  mkdirSync(certs, { recursive: true });
  const result = await load({
    "harness:engine": { host: "unix:///var/run/docker.sock", publishAddress: "0.0.0.0" },
  });
  assert.match(
    result.error?.message ?? "",
    /harness:engine\.publishAddress: 0\.0\.0\.0 binds every published port/,
  );
});
