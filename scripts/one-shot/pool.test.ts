/** The engine pool (`npm run harness -- --engines`): its file, counting stacks by label, the choice. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type Docker from "dockerode";
import {
  chooseEngine,
  DEFAULT_MAX_STACKS,
  engineConfigValue,
  parsePool,
  runningStacks,
  type EngineLoad,
  type PoolEngine,
} from "./pool";

const certs = new Set(["/pool/certs/a", "/pool/certs/b"]);
const fs = {
  isDirectory: (p: string) => certs.has(p),
  isFile: (p: string) => [...certs].some((d) => p.startsWith(`${d}/`)),
};
const A = { name: "a", host: "tcp://10.0.0.5:2376", tls: { certPath: "certs/a" } };
const B = { name: "b", host: "tcp://10.0.0.6:2376", tls: { certPath: "/pool/certs/b" }, maxStacks: 3 };

function engines(value: unknown): PoolEngine[] {
  const parsed = parsePool(value, "/pool/engines.yaml", fs);
  assert.ok(Array.isArray(parsed), String(parsed));
  return parsed;
}

describe("the pool file", () => {
  test("engines with their caps; cert paths relative to the file", () => {
    assert.deepEqual(engines({ engines: [A, B] }), [
      {
        name: "a",
        host: A.host,
        certPath: "/pool/certs/a",
        publishAddress: "10.0.0.5",
        clientAddress: "10.0.0.5",
        maxStacks: DEFAULT_MAX_STACKS,
      },
      {
        name: "b",
        host: B.host,
        certPath: "/pool/certs/b",
        publishAddress: "10.0.0.6",
        clientAddress: "10.0.0.6",
        maxStacks: 3,
      },
    ]);
    assert.equal(engines({ maxStacks: 5, engines: [A] })[0].maxStacks, 5, "the file's default cap");
  });

  test("one engine (what `npm run base-images -- --engine` reads) is named by its host", () => {
    const [one] = engines({ host: A.host, tls: A.tls });
    assert.equal(one.name, A.host);
  });

  test("every problem at once, each naming its entry", () => {
    const problems = String(
      parsePool(
        {
          engines: [
            { ...A, tls: undefined },
            { host: "unix:///var/run/docker.sock" },
            { ...B, name: "a", maxStacks: 0 },
            { ...A, name: "c", tls: { ca: "-----BEGIN x", cert: "-----BEGIN x", key: "-----BEGIN x" } },
            { name: "d" },
          ],
          extra: 1,
        },
        "/pool/engines.yaml",
        fs,
      ),
    );
    assert.match(problems, /unknown key\(s\) extra/);
    assert.match(problems, /engines\[0\]\.tls: is required for a tcp:\/\/ engine/);
    assert.match(problems, /engines\[1\]\.name: every engine of a pool needs a name/);
    assert.match(problems, /engines\[2\]\.maxStacks: must be a whole number ≥ 1/);
    assert.match(problems, /engines\[3\]\.tls: is not a secret/, "key material as text in a plain file");
    assert.match(problems, /engines\[4\]\.host: every engine of a pool needs a host/);
    assert.match(problems, /engine names must be unique: a/);
    assert.match(String(parsePool({ engines: [] }, "p.yaml", fs)), /engines must be a non-empty list/);
  });
});

describe("counting stacks by label", () => {
  test("the distinct harness.stack labels of running containers", async () => {
    let asked: unknown;
    const standIn = {
      listContainers: async (opts: unknown) => {
        asked = opts;
        return [
          { Labels: { "harness.stack": "harness/ci-1" } },
          { Labels: { "harness.stack": "harness/ci-1" } },
          { Labels: { "harness.stack": "harness/ci-2" } },
        ];
      },
    } as unknown as Pick<Docker, "listContainers">;
    assert.deepEqual(await runningStacks(standIn), ["harness/ci-1", "harness/ci-2"]);
    assert.deepEqual(asked, { filters: { label: ["harness.stack"], status: ["running"] } });
  });
});

describe("the choice", () => {
  const [a, b] = engines({ engines: [A, B] });
  const load = (engine: PoolEngine, n: number): EngineLoad => ({
    engine,
    stacks: Array.from({ length: n }, (_, i) => `harness/s${engine.name}${i}`),
  });

  test("the least loaded under its cap; ties go to the first in the file", () => {
    assert.equal(pick([load(a, 1), load(b, 0)]), "b");
    assert.equal(pick([load(a, 0), load(b, 0)]), "a");
    assert.equal(pick([load(a, 2), load(b, 2)]), "b", "a is at its cap (2), b is not (3)");
  });

  test("an unreachable engine is skipped; a stack that runs somewhere stays there", () => {
    assert.equal(pick([{ engine: a, stacks: { error: "connect ECONNREFUSED" } }, load(b, 2)]), "b");
    const full = [load(a, 2), load(b, 3)];
    const home = chooseEngine(full, "harness/sb1");
    assert.ok("engine" in home && home.engine.name === "b", "already there, though b is at its cap");
  });

  test("no room: one line with every engine's state", () => {
    const none = chooseEngine([load(a, 2), { engine: b, stacks: { error: "timeout" } }], "harness/x");
    assert.ok("problem" in none);
    assert.equal(
      none.problem,
      "no engine of the pool can take the stack (a: 2/2 stacks; b: unreachable (timeout))",
    );
  });

  test("the pick becomes the up's harness:engine, certificates by path", () => {
    assert.deepEqual(engineConfigValue(a), {
      host: A.host,
      tls: { certPath: "/pool/certs/a" },
      publishAddress: "10.0.0.5",
      clientAddress: "10.0.0.5",
    });
  });

  function pick(loads: EngineLoad[]): string {
    const choice = chooseEngine(loads, "harness/new");
    assert.ok("engine" in choice, JSON.stringify(choice));
    return choice.engine.name;
  }
});
