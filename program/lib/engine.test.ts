/**
 * How the program's own calls reach the stack's engine: the `docker` CLI environment of Commands
 * (program/lib/engine.ts) and dockerode's options (program/contracts/engine.ts), which must not inherit an ambient
 * DOCKER_HOST once an engine is configured.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { dockerOptions, tlsMaterial } from "../contracts/engine";
import { dockerCli, enginePortCommand, MATERIAL_ENV, PICK_RANGE } from "./engine";

const PEM = { ca: "-----BEGIN CA-----\n", cert: "-----BEGIN CERT-----\n", key: "-----BEGIN KEY-----\n" };

describe("the docker CLI of Commands", () => {
  test("no engine: the script as is, the Command's environment inherited (as before)", () => {
    const cli = dockerCli({});
    assert.equal(cli.environment, undefined);
    assert.equal(cli.wrap("docker ps"), "docker ps");
  });

  test("a cert directory: Docker's own variables, nothing secret", () => {
    const cli = dockerCli({ host: "tcp://10.0.0.5:2376", certPath: "/certs" });
    assert.deepEqual(cli.environment, {
      DOCKER_HOST: "tcp://10.0.0.5:2376",
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: "/certs",
    });
    assert.equal(cli.secret, false);
  });

  test("material as text: secret env, written to a private temp dir for the one call, then removed", () => {
    const cli = dockerCli({ host: "tcp://10.0.0.5:2376", ...PEM });
    assert.equal(cli.secret, true);
    assert.equal(cli.environment?.DOCKER_CERT_PATH, undefined, "no path: the material is the env");
    // What the wrapped script sees, run by a real shell: the files, their mode, then nothing left.
    const out = execFileSync(
      "sh",
      [
        "-c",
        cli.wrap(
          'echo "$DOCKER_CERT_PATH" && stat -c %a "$DOCKER_CERT_PATH/key.pem" && cat "$DOCKER_CERT_PATH/ca.pem" "$DOCKER_CERT_PATH/cert.pem" "$DOCKER_CERT_PATH/key.pem"',
        ),
      ],
      { env: { PATH: process.env.PATH, ...cli.environment }, encoding: "utf8" },
    );
    const [dir, mode, ...pem] = out.split("\n");
    assert.equal(mode, "600");
    assert.equal(pem.join("\n"), `${PEM.ca}${PEM.cert}${PEM.key}`);
    assert.throws(() => execFileSync("test", ["-e", dir]), "the temp dir is gone after the call");
    assert.ok(!cli.wrap("x").includes("BEGIN"), "never on the command line");
    assert.equal(cli.environment?.[MATERIAL_ENV.key], PEM.key);
  });

  test("a remote port pick: a port in the dynamic range no container on the engine publishes", () => {
    // `docker` stood in by a function printing two published ports.
    const out = execFileSync(
      "sh",
      [
        "-c",
        `docker() { printf '0.0.0.0:50000->80/tcp\\n10.0.0.5:50001->5432/tcp'; }; ${enginePortCommand()}`,
      ],
      { encoding: "utf8" },
    );
    const port = Number(out);
    assert.ok(port >= PICK_RANGE.min && port <= PICK_RANGE.max, out);
    assert.ok(![50000, 50001].includes(port));
    assert.throws(
      () => execFileSync("sh", ["-c", `docker() { return 1; }; ${enginePortCommand()}`], { stdio: "ignore" }),
      "an engine that does not answer fails the pick",
    );
  });
});

describe("dockerode's options", () => {
  test("no engine: Docker's defaults (DOCKER_HOST, else the local socket)", () => {
    assert.deepEqual(dockerOptions(undefined), {});
    assert.deepEqual(dockerOptions({}), {});
  });

  test("a configured engine sets every connection field, so an ambient DOCKER_HOST cannot leak in", () => {
    const read = (p: string) => `pem of ${p}`;
    const o = dockerOptions({ host: "tcp://[fd00::5]:2376", certPath: "/certs" }, read);
    assert.equal(o.host, "fd00::5");
    assert.equal(o.port, "2376");
    assert.equal(o.protocol, "https");
    assert.equal(o.socketPath, undefined);
    assert.deepEqual(tlsMaterial({ certPath: "/certs" }, read), {
      ca: "pem of /certs/ca.pem",
      cert: "pem of /certs/cert.pem",
      key: "pem of /certs/key.pem",
    });
    const unix = dockerOptions({ host: "unix:///run/docker-2.sock" });
    assert.equal(unix.socketPath, "/run/docker-2.sock");
    assert.ok("host" in unix && unix.host === undefined);
    assert.throws(() => dockerOptions({ host: "tcp://10.0.0.5:2376" }), /no TLS material/);
  });
});
