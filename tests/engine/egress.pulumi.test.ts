/**
 * Issue 14 on the real engine: hermetic by construction. A one-tenant stack runs three replays: one
 * during which the tenant container calls an outside URL (`http://api.payments.example/…`), one that
 * reaches only the harness's own names (the cp-stub, postgres, redis), and no-egress. The outside
 * call fails its replay, naming the host; allowed (`harness:egress.allow`), it passes and is still
 * reported; the harness's own names produce nothing. From inside the tenant: the network is
 * `internal`, there is no default route, an outside name resolves to the sinkhole, HTTP to it gets
 * the harness's 502 and a journal entry naming the tenant container and the host (and the port it
 * dialled); TLS gets an alert and is journaled with its SNI; a UDP datagram is journaled.
 *
 * No traffic leaves the machine: the outside names resolve only through the harness's resolver (to
 * the sinkhole, a container of the stack), and "no route" is read from the routing table.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseEgressJournal, type EgressReport } from "../../program/contracts/egress";
import type { ReplaySummary } from "../../program/contracts/summary";
import { dockerOn, execIn, HTTP_PROBE, probeResult, stdoutOf } from "../../replays/lib/docker-exec";
import { docker, labelled, REPO_ROOT, testStack, type TestStack } from "./test-support";

const TIMEOUT = { timeout: 15 * 60_000 };
const OUTSIDE = "api.payments.example";

/** A replay (in the scratch replays dir) that has the tenant container run the HTTP probe. */
function probeReplay(name: string, host: string, port: number, proves: string): string {
  return `import { defineReplay, fail } from "../runner/api";
import { dockerOn, execIn, HTTP_PROBE, probeResult } from "./lib/docker-exec";

export default defineReplay({
  closes: null,
  proves: ${JSON.stringify(proves)},
  async run(ctx) {
    const docker = dockerOn(ctx.target.engine);
    const seen = probeResult((await execIn(docker, ctx.target.tenants[0].container!, ["node", "-e", HTTP_PROBE, ${JSON.stringify(host)}, "${port}"])).output);
    ctx.log(JSON.stringify(seen));
    if (${JSON.stringify(name)} === "quiet" && (seen.status === undefined || /egress_blocked/.test(seen.body ?? ""))) fail("the cp-stub (any answer of its own) is not reachable from the tenant: " + JSON.stringify(seen));
  },
});
`;
}

/** The first defined value `probe` gives within 5 s (a journal line is written a moment after the call). */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; ; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    if (i >= 50) throw new Error("not seen within 5 s");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("egress: no route out, the sinkhole, reported like a bug", { concurrency: false }, () => {
  const dir = join(REPO_ROOT, `.engine-test-egress-${process.pid}`);
  let s: TestStack;
  const config = (egress?: unknown) => ({
    "harness:tenants": [{ name: "alpha" }],
    "harness:replays": { dir: basename(dir) },
    "harness:suites": [],
    ...(egress ? { "harness:egress": egress } : {}),
  });
  const cli = dockerOn(undefined);
  const tenantName = () => `${s.name}-tenant-alpha`;
  const tenant = () => docker.getContainer(tenantName());
  const sinkhole = () => docker.getContainer(`${s.name}-sinkhole`);

  before(async () => {
    mkdirSync(dir);
    cpSync(join(REPO_ROOT, "replays", "lib"), join(dir, "lib"), { recursive: true });
    cpSync(join(REPO_ROOT, "replays", "no-egress.ts"), join(dir, "no-egress.ts"));
    writeFileSync(
      join(dir, "calls-out.ts"),
      probeReplay("calls-out", OUTSIDE, 80, "the tenant calls an outside payment API during this replay"),
    );
    // The harness's own names: the cp-stub answers; postgres and redis resolve in-network.
    writeFileSync(
      join(dir, "quiet.ts"),
      probeReplay("quiet", "cp-stub", 9090, "the tenant reaches only the harness's own services"),
    );
    s = await testStack("egress", config());
  });
  after(async () => {
    await s?.destroy().catch(() => undefined);
    const left = s ? await labelled(s.label) : [];
    await s?.dispose();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(left, [], "destroy left objects labelled for the stack");
  });

  test(
    "a replay whose tenant calls out FAILs naming the host; own names produce nothing",
    TIMEOUT,
    async (t) => {
      await s.up();
      const out = await s.outputs();
      const summary = out.replays as ReplaySummary;
      const status = Object.fromEntries(summary.results.map((r) => [r.name, r]));
      t.diagnostic(summary.results.map((r) => `${r.status} ${r.name}: ${r.message}`).join("\n"));
      assert.equal(status["calls-out"].status, "FAIL");
      assert.match(
        status["calls-out"].message,
        new RegExp(`egress from ${s.name}-tenant-alpha to ${OUTSIDE.replace(/\./g, "\\.")}:80 \\(http\\)`),
      );
      assert.equal(status.quiet.status, "PASS");
      assert.equal(status["no-egress"].status, "PASS");
      assert.equal(out.replaysPassed, false);

      const egress = out.egress as EgressReport;
      assert.equal(egress.mode, "fail");
      assert.ok(egress.attempts.length > 0);
      for (const a of egress.attempts) {
        assert.equal(a.host, OUTSIDE, `only the outside name is reported: ${JSON.stringify(a)}`);
        assert.deepEqual([a.phase, a.replays, a.allowed], ["replay", ["calls-out"], false]);
        assert.equal(a.source, `${s.name}-tenant-alpha`);
      }
      assert.ok(egress.attempts.some((a) => a.protocol === "http" && a.port === 80));
    },
  );

  test(
    "from inside the tenant: internal network, no default route, the sinkhole answers and journals",
    TIMEOUT,
    async () => {
      const info = await tenant().inspect();
      const networks = Object.keys(info.NetworkSettings.Networks);
      assert.equal(networks.length, 1, "a tenant is never dual-homed");
      assert.equal(
        (await docker.getNetwork(networks[0]).inspect()).Internal,
        true,
        "the tenants' network is internal",
      );
      assert.match(
        String(info.HostConfig.Dns),
        /^\d+\.\d+\.\d+\.\d+$/,
        "the tenant's DNS upstream is the sinkhole",
      );
      const edge = await docker.getContainer(`${s.name}-cf-proxy`).inspect();
      assert.equal(
        Object.keys(edge.NetworkSettings.Networks).length,
        2,
        "the edge is dual-homed (it publishes)",
      );

      const routes = await execIn(cli, tenantName(), ["cat", "/proc/net/route"]);
      assert.equal(routes.code, 0);
      assert.deepEqual(
        routes.output.split("\n").filter((l) => l.split(/\s+/)[1] === "00000000"),
        [],
        `no default route:\n${routes.output}`,
      );

      const sinkholeIp = Object.values((await sinkhole().inspect()).NetworkSettings.Networks)[0].IPAddress;
      const host = `checkout.${OUTSIDE}`;
      const seen = probeResult(
        (await execIn(cli, tenantName(), ["node", "-e", HTTP_PROBE, host, "8443"])).output,
      );
      assert.equal(seen.address, sinkholeIp, "the outside name resolves to the sinkhole");
      assert.equal(seen.status, 502);
      assert.match(String(seen.body), /egress_blocked/);
      assert.match(String(seen.body), /harness/);
      const entry = await waitFor(async () =>
        parseEgressJournal(await stdoutOf(cli, `${s.name}-sinkhole`)).find(
          (e) => e.host === host && e.protocol === "http",
        ),
      );
      assert.equal(entry.source, `${s.name}-tenant-alpha`);
      assert.equal(entry.port, 8443, "the port the tenant dialled (any port reaches the sinkhole)");
      // TLS to an outside name: a handshake alert, and the SNI in the journal.
      const tlsHost = `secure.${OUTSIDE}`;
      const tls = await execIn(cli, tenantName(), [
        "node",
        "-e",
        `require("tls").connect({ host: ${JSON.stringify(tlsHost)}, port: 443, servername: ${JSON.stringify(tlsHost)} }).on("error", (e) => console.log(e.message)).on("secureConnect", () => console.log("connected"));`,
      ]);
      assert.match(tls.output, /handshake failure|alert/i, tls.output);
      const hello = await waitFor(async () =>
        parseEgressJournal(await stdoutOf(cli, `${s.name}-sinkhole`)).find((e) => e.protocol === "tls"),
      );
      assert.deepEqual([hello.host, hello.port], [tlsHost, 443]);

      // A datagram to an outside name (a metrics client): journaled with its port too.
      const udpHost = `metrics.${OUTSIDE}`;
      const sent = await execIn(cli, tenantName(), [
        "node",
        "-e",
        `const d = require("dgram").createSocket("udp4"); d.send("orders:1|c", 8125, ${JSON.stringify(udpHost)}, (e) => { d.close(); process.exitCode = e ? 1 : 0; });`,
      ]);
      assert.equal(sent.code, 0, sent.output);
      const datagram = await waitFor(async () =>
        parseEgressJournal(await stdoutOf(cli, `${s.name}-sinkhole`)).find((e) => e.protocol === "udp"),
      );
      assert.deepEqual(
        { host: datagram.host, port: datagram.port, source: datagram.source },
        { host: udpHost, port: 8125, source: `${s.name}-tenant-alpha` },
      );
      const entries = parseEgressJournal(await stdoutOf(cli, `${s.name}-sinkhole`));
      for (const own of ["cp-stub", `postgres-alpha`, "redis"])
        assert.ok(!entries.some((e) => e.host === own), `${own} is the harness's own name: never journaled`);
    },
  );

  test("allowed, the same call passes and is still reported", TIMEOUT, async () => {
    s.setConfig(config({ allow: ["*.payments.example"] }));
    await s.up();
    const out = await s.outputs();
    const summary = out.replays as ReplaySummary;
    const callsOut = summary.results.find((r) => r.name === "calls-out");
    assert.equal(callsOut?.status, "PASS", callsOut?.message);
    assert.equal(out.replaysPassed, true);
    const egress = out.egress as EgressReport;
    assert.deepEqual(egress.allow, ["*.payments.example"]);
    const mine = egress.attempts.filter((a) => a.replays.includes("calls-out"));
    assert.ok(mine.length > 0 && mine.every((a) => a.allowed), "journaled, allowed");
  });
});
