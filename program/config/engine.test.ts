import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_ENGINE, parseEngine, tcpHostAddress, type EngineParseContext } from "./engine";
import { ConfigError } from "./errors";
import { parseHarnessConfig, type ParseContext } from "./parse";

const CERTS = "/certs/engine-1";
const dirs = new Set(["/repo/replays", CERTS, "/certs/empty", "/repo/certs"]);
const files = new Set(
  ["ca.pem", "cert.pem", "key.pem"].flatMap((f) => [`${CERTS}/${f}`, `/repo/certs/${f}`]),
);
const PEM = {
  ca: "-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n",
  cert: "-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n",
  key: "-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n",
};

const ctx: EngineParseContext = {
  key: "harness:engine",
  baseDir: "/repo",
  isDirectory: (p) => dirs.has(p),
  isFile: (p) => files.has(p),
};

function engine(value: unknown, over: Partial<EngineParseContext> = {}) {
  return parseEngine(value, { ...ctx, ...over });
}

/** The problems' `path: problem` lines, for readable assertions. */
function rejected(value: unknown, over: Partial<EngineParseContext> = {}): string[] {
  const result = engine(value, over);
  assert.ok(result.problems.length > 0, `expected ${JSON.stringify(value)} to be rejected`);
  assert.deepEqual(result.engine, DEFAULT_ENGINE, "a rejected engine configures nothing");
  for (const p of result.problems) assert.ok(p.fix.length > 0, `a fix for ${p.path}`);
  return result.problems.map((p) => `${p.path}: ${p.problem}`);
}

const REMOTE = { host: "tcp://10.0.0.5:2376", tls: { certPath: CERTS } };

describe("harness:engine: accepted", () => {
  test("absent: Docker's defaults, every port on loopback", () => {
    assert.deepEqual(engine(undefined), { engine: DEFAULT_ENGINE, configured: false, problems: [] });
  });

  test("a tcp:// engine with a cert directory publishes and is dialled on the host's address", () => {
    const r = engine(REMOTE);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.engine, {
      host: "tcp://10.0.0.5:2376",
      certPath: CERTS,
      publishAddress: "10.0.0.5",
      clientAddress: "10.0.0.5",
    });
  });

  test("a relative certPath starts at the repo root", () => {
    assert.equal(engine({ ...REMOTE, tls: { certPath: "certs" } }).engine.certPath, "/repo/certs");
  });

  test("PEM material as a secret; explicit publish and client addresses (a NAT in between)", () => {
    const r = engine(
      {
        host: "tcp://engine-1.ci.internal:2376",
        tls: PEM,
        publishAddress: "10.1.0.7",
        clientAddress: "engine-1.ci.internal",
      },
      { secret: true },
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.engine, {
      host: "tcp://engine-1.ci.internal:2376",
      ...PEM,
      publishAddress: "10.1.0.7",
      clientAddress: "engine-1.ci.internal",
    });
  });

  test("a unix socket publishing on a LAN address is dialled there", () => {
    const r = engine({ host: "unix:///run/user/1000/docker.sock", publishAddress: "192.168.1.20" });
    assert.deepEqual(r.engine, {
      host: "unix:///run/user/1000/docker.sock",
      publishAddress: "192.168.1.20",
      clientAddress: "192.168.1.20",
    });
  });

  test("IPv6 engine addresses lose their brackets", () => {
    assert.equal(tcpHostAddress("tcp://[fd00::5]:2376"), "fd00::5");
    assert.equal(engine({ ...REMOTE, host: "tcp://[fd00::5]:2376" }).engine.publishAddress, "fd00::5");
  });
});

describe("harness:engine: every rejected combination", () => {
  test("not an object", () => {
    assert.match(rejected("tcp://10.0.0.5:2376")[0], /^: must be an object/);
  });

  test("a host that is neither unix:// nor tcp://<address>:<port>", () => {
    for (const host of ["http://10.0.0.5:2375", "tcp://10.0.0.5", "tcp://10.0.0.5:99999", "unix://", 42]) {
      assert.match(rejected({ host })[0], /^\.host: must be unix:\/\/\/<path to docker\.sock> or tcp:/);
    }
    assert.match(rejected({ host: "ssh://ci@engine-1" })[0], /ssh:\/\/ is not supported: mutual TLS only/);
  });

  test("tcp:// without TLS", () => {
    assert.deepEqual(rejected({ host: "tcp://10.0.0.5:2376" }), [
      ".tls: is required for a tcp:// engine: Docker's API over TCP without mutual TLS is root on the engine's machine for anyone who reaches the port",
    ]);
  });

  test("TLS for a unix socket, or for Docker's default engine", () => {
    for (const host of ["unix:///var/run/docker.sock", undefined]) {
      assert.deepEqual(rejected({ host, tls: { certPath: CERTS } }), [
        ".tls: applies to tcp:// engines only (a unix socket has no TLS)",
      ]);
    }
  });

  test("both certPath and PEM material", () => {
    assert.match(
      rejected({ ...REMOTE, tls: { certPath: CERTS, key: PEM.key } }, { secret: true })[0],
      /^\.tls: sets both certPath and key: the client certificate comes from exactly one of them/,
    );
  });

  test("certPath that is missing, or lacks a file", () => {
    assert.deepEqual(rejected({ ...REMOTE, tls: { certPath: "/certs/nowhere" } }), [
      ".tls.certPath: directory /certs/nowhere does not exist",
    ]);
    assert.deepEqual(rejected({ ...REMOTE, tls: { certPath: "/certs/empty" } }), [
      ".tls.certPath: /certs/empty lacks ca.pem, cert.pem, key.pem",
    ]);
    assert.match(
      rejected({ ...REMOTE, tls: { certPath: "" } })[0],
      /^\.tls\.certPath: must be a directory path/,
    );
  });

  test("PEM material without the CA (the engine's certificate would go unchecked), or without the key", () => {
    assert.match(
      rejected({ ...REMOTE, tls: { cert: PEM.cert, key: PEM.key } }, { secret: true })[0],
      /^\.tls: lacks ca: mutual TLS needs the engine's CA/,
    );
    assert.match(
      rejected({ ...REMOTE, tls: { ca: PEM.ca } }, { secret: true })[0],
      /^\.tls: lacks cert, key/,
    );
    assert.match(rejected({ ...REMOTE, tls: {} })[0], /^\.tls: sets neither certPath nor ca, cert and key/);
  });

  test("material that is not PEM, never echoed", () => {
    const lines = rejected({ ...REMOTE, tls: { ...PEM, key: "hunter2-secret-key" } }, { secret: true });
    assert.deepEqual(lines, [".tls.key: is not PEM text (value not shown)"]);
    assert.ok(!lines.join("\n").includes("hunter2"));
  });

  test("material that is not a Pulumi secret", () => {
    assert.deepEqual(rejected({ ...REMOTE, tls: PEM }, { secret: false }), [
      ".tls: is not a secret: the client key would sit in plain text in the stack file",
    ]);
  });

  test("publishing on all interfaces", () => {
    for (const address of ["0.0.0.0", "::"]) {
      assert.match(
        rejected({ ...REMOTE, publishAddress: address })[0],
        new RegExp(`^\\.publishAddress: ${address.replace(/\./g, "\\.")} binds every published port`),
      );
    }
    assert.match(
      rejected({ host: "unix:///var/run/docker.sock", publishAddress: "0.0.0.0" })[0],
      /binds every published port/,
    );
  });

  test("a publish address that is not an IP address, or missing for an engine named by DNS", () => {
    assert.match(
      rejected({ ...REMOTE, publishAddress: "engine-1" })[0],
      /^\.publishAddress: must be an IP address/,
    );
    assert.match(
      rejected({ host: "tcp://engine-1.ci.internal:2376", tls: { certPath: CERTS } })[0],
      /^\.publishAddress: is required: host names the engine by DNS name \(engine-1\.ci\.internal\)/,
    );
  });

  test("a client address nobody can dial", () => {
    for (const address of ["0.0.0.0", "not an address", ""]) {
      assert.match(
        rejected({ ...REMOTE, clientAddress: address })[0],
        /^\.clientAddress: must be an address/,
      );
    }
  });

  test("unknown keys, at the top and under tls", () => {
    assert.deepEqual(rejected({ ...REMOTE, publish: "10.0.0.5", tls: { certPath: CERTS, caPath: "/x" } }), [
      ".publish: unknown key",
      ".tls.caPath: unknown key",
    ]);
  });
});

describe("harness:engine in the whole config", () => {
  const pctx: ParseContext = {
    project: "harness",
    stack: "ci-1",
    repoRoot: "/repo",
    env: {},
    isDirectory: ctx.isDirectory,
    isFile: ctx.isFile,
  };
  const parse = (values: Record<string, unknown>, over: Partial<ParseContext> = {}) =>
    parseHarnessConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON.stringify(v)])), {
      ...pctx,
      ...over,
    });

  test("without it: the edge keeps its own bind address, every other port on loopback", () => {
    const cfg = parse({ edge: { bindAddress: "0.0.0.0" } });
    assert.deepEqual(cfg.engine, DEFAULT_ENGINE);
    assert.equal(cfg.edge.bindAddress, "0.0.0.0");
  });

  test("with it: the edge binds the engine's publish address", () => {
    const cfg = parse({ engine: REMOTE, edge: { port: 0 } });
    assert.equal(cfg.edge.bindAddress, "10.0.0.5");
    assert.equal(cfg.engine.clientAddress, "10.0.0.5");
  });

  test("edge.bindAddress beside an engine is rejected, in one message with the engine's own problems", () => {
    let error: unknown;
    try {
      parse({ engine: { host: "tcp://10.0.0.5:2376" }, edge: { bindAddress: "10.0.0.5" } });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(
      error.problems.map((p) => p.key),
      ["harness:engine.tls", "harness:edge.bindAddress"],
    );
    assert.match(error.message, /harness:engine\.tls: is required for a tcp:\/\/ engine/);
  });

  test("the secret check asks for the whole key", () => {
    const asked: string[] = [];
    assert.throws(
      () =>
        parse(
          { engine: { ...REMOTE, tls: PEM } },
          {
            isSecret: (key) => {
              asked.push(key);
              return false;
            },
          },
        ),
      /harness:engine\.tls: is not a secret/,
    );
    assert.deepEqual(asked, ["harness:engine"]);
    assert.equal(parse({ engine: { ...REMOTE, tls: PEM } }, { isSecret: () => true }).engine.key, PEM.key);
  });
});
