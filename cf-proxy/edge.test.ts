/**
 * The rendered edge in real nginx, in front of recording tenants on loopback: routing by Host, the
 * unknown-Host answer, every header the edge sets / appends / overwrites / strips, WebSocket, 502.
 * Run twice: the container shape (resolver on, https) and the static loopback shape (no resolver, http).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { LEGACY_TENANT_HOST, tenantHost } from "../program/contracts/hosts";
import { freePort } from "../tools/loopback/free-port";
import { CF_RAY_COLO, STRIPPED_CF_REQUEST_HEADERS } from "./cf-headers";
import type { EdgeOptions } from "./options";
import { UNKNOWN_HOST_STATUS, servedHosts } from "./render";
import { edgeRequest, startEdge, within, type RunningEdge } from "./test-support/edge";
import { rawRequest } from "./test-support/raw-http";
import {
  headerValue,
  headerValues,
  startRecordingUpstream,
  type RecordedRequest,
  type RecordingUpstream,
} from "./test-support/recording-upstream";

const ALPHA = tenantHost("alpha");
const BETA = tenantHost("beta");
const GAMMA = tenantHost("gamma");
const RAY = new RegExp(`^[0-9a-f]{16}-${CF_RAY_COLO}$`);

const variants: { name: string; proto: "http" | "https"; options: Partial<EdgeOptions> }[] = [
  { name: "container shape (resolver, https)", proto: "https", options: {} },
  {
    name: "static loopback shape (no resolver, http)",
    proto: "http",
    options: { resolver: null, forwardedProto: "http" },
  },
];

for (const variant of variants) {
  describe(`edge: ${variant.name}`, () => {
    let alpha: RecordingUpstream;
    let beta: RecordingUpstream;
    let edge: RunningEdge;
    let tenants: { name: string; upstream: string }[];

    before(async () => {
      alpha = await startRecordingUpstream("alpha");
      beta = await startRecordingUpstream("beta");
      // gamma's upstream port has nothing listening: the "tenant down" case.
      tenants = [
        { name: "alpha", upstream: alpha.address },
        { name: "beta", upstream: beta.address },
        { name: "gamma", upstream: `127.0.0.1:${await freePort()}` },
      ];
      edge = await startEdge({ ...variant.options, tenants });
    });

    after(async () => {
      await edge?.stop();
      await alpha?.close();
      await beta?.close();
    });

    const seen = () =>
      alpha.requests.length + beta.requests.length + alpha.upgrades.length + beta.upgrades.length;

    /** Sends one request and returns what the named upstream recorded for it. */
    async function through(
      upstream: RecordingUpstream,
      host: string,
      headers: Record<string, string | string[]> = {},
      path = "/probe",
    ): Promise<RecordedRequest> {
      const before = upstream.requests.length;
      const res = await edgeRequest(edge.port, host, { path, headers });
      assert.equal(res.status, 200, `${host}${path}: ${res.text}\n${edge.log()}`);
      assert.equal(upstream.requests.length, before + 1, `${upstream.name} did not receive ${host}${path}`);
      return upstream.requests[before];
    }

    test("routes each tenant host to its own upstream, and the legacy host to the first tenant", async () => {
      for (const [host, expected, other] of [
        [ALPHA, alpha, beta],
        [BETA, beta, alpha],
        [LEGACY_TENANT_HOST, alpha, beta],
      ] as const) {
        const otherBefore = other.requests.length;
        const res = await edgeRequest(edge.port, host, { path: `/route-check?host=${host}` });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json().tenant, expected.name, `${host} answered by ${String(res.json().tenant)}`);
        assert.equal(expected.requests.at(-1)?.url, `/route-check?host=${host}`);
        assert.equal(other.requests.length, otherBefore, `${host} also reached ${other.name}`);
      }
    });

    test("forwards Host unchanged (case, port, trailing dot) and the URI as sent", async () => {
      const host = "Harness-Tenant-BETA.localhost.:8080";
      const rec = await through(beta, host, {}, "/a//b/%2Fc?x=%20y&z=1");
      assert.deepEqual(headerValues(rec, "host"), [host]);
      assert.deepEqual(headerValues(rec, "x-forwarded-host"), [host]);
      assert.equal(rec.url, "/a//b/%2Fc?x=%20y&z=1");
    });

    test("an absolute-form request line routes and names the Host the tenant sees (RFC 9112 §3.2.2)", async () => {
      const alphaBefore = alpha.requests.length;
      const res = await rawRequest(
        edge.port,
        `GET http://${BETA}/absolute HTTP/1.1\r\nHost: ${ALPHA}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(res.status, 200, res.body);
      const rec = beta.requests.at(-1);
      assert.equal(rec?.url, "/absolute");
      assert.deepEqual(headerValues(rec!, "host"), [BETA]);
      assert.equal(alpha.requests.length, alphaBefore);
    });

    const unknownHosts = [
      "localhost",
      "127.0.0.1",
      "127.0.0.1:8080",
      "harness-tenant-zeta.localhost",
      "harness-tenant.localhost.evil.example",
      `x.${ALPHA}`,
      "evil.example",
      "[::1]:8080",
    ];
    for (const host of unknownHosts) {
      test(`unknown Host "${host}" is refused with ${UNKNOWN_HOST_STATUS} + JSON, and no tenant sees it`, async () => {
        const before = seen();
        const res = await edgeRequest(edge.port, host, { method: "POST", path: "/workspaces", body: "{}" });
        assert.equal(res.status, UNKNOWN_HOST_STATUS);
        assert.match(String(res.headers["content-type"]), /^application\/json/);
        const body = res.json();
        assert.equal(body.error, "unknown_host");
        assert.equal(body.status, UNKNOWN_HOST_STATUS);
        assert.equal(body.host, host);
        assert.deepEqual(body.served_hosts, servedHosts(tenants));
        assert.match(String(body.ray), RAY);
        assert.equal(res.headers["cf-ray"], body.ray);
        assert.equal(seen(), before, "an upstream received a request for an unknown Host");
      });
    }

    test("no Host at all (HTTP/1.0) is refused with host null; HTTP/1.1 without Host is a 400", async () => {
      const before = seen();
      const none = await rawRequest(edge.port, "GET / HTTP/1.0\r\n\r\n");
      assert.equal(none.status, UNKNOWN_HOST_STATUS);
      assert.equal((JSON.parse(none.body) as { host: unknown }).host, null);
      const http11 = await rawRequest(edge.port, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
      assert.equal(http11.status, 400);
      assert.equal(seen(), before);
    });

    test("a Host crafted to break the JSON body is withheld, and the body stays valid JSON", async () => {
      const res = await rawRequest(edge.port, 'GET / HTTP/1.0\r\nHost: evil"},"served_hosts":["x\r\n\r\n');
      assert.equal(res.status, UNKNOWN_HOST_STATUS);
      const body = JSON.parse(res.body) as Record<string, unknown>;
      assert.equal(body.host, "(withheld: not a plain host name)");
      assert.deepEqual(body.served_hosts, servedHosts(tenants));
    });

    test("sets the CDN headers and overwrites spoofed ones (each exactly once)", async () => {
      const rec = await through(alpha, ALPHA, {
        "CF-Connecting-IP": "6.6.6.6",
        "CF-Ray": "ffffffffffffffff-EVL",
        "CF-Visitor": '{"scheme":"spoofed"}',
        "CDN-Loop": "spoofed-cdn",
        "X-Forwarded-Proto": "spoofed",
        "X-Real-IP": "6.6.6.6",
        "X-Forwarded-Host": "evil.example",
        "X-Harness-Control": "passes-through",
      });
      assert.equal(headerValue(rec, "cf-connecting-ip"), "127.0.0.1");
      assert.equal(headerValue(rec, "x-real-ip"), "127.0.0.1");
      assert.equal(headerValue(rec, "x-forwarded-proto"), variant.proto);
      assert.equal(headerValue(rec, "cf-visitor"), `{"scheme":"${variant.proto}"}`);
      assert.equal(headerValue(rec, "cdn-loop"), "cloudflare");
      assert.equal(headerValue(rec, "x-forwarded-host"), ALPHA);
      assert.match(headerValue(rec, "cf-ray") ?? "", RAY);
      // Control: an ordinary client header is passed, so "absent" below means removed, not lost.
      assert.equal(headerValue(rec, "x-harness-control"), "passes-through");
    });

    test("X-Forwarded-For: the client address appended to what the client sent, or alone", async () => {
      const withChain = await through(alpha, ALPHA, { "X-Forwarded-For": "203.0.113.7, 198.51.100.2" });
      assert.deepEqual(headerValues(withChain, "x-forwarded-for"), ["203.0.113.7, 198.51.100.2, 127.0.0.1"]);
      const alone = await through(alpha, ALPHA);
      assert.deepEqual(headerValues(alone, "x-forwarded-for"), ["127.0.0.1"]);
    });

    test("CF-Ray is fresh per request, Cloudflare-shaped, and returned to the client", async () => {
      const rays = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const before = beta.requests.length;
        const res = await edgeRequest(edge.port, BETA, { headers: { "CF-Ray": "0000000000000000-EVL" } });
        const sent = headerValue(beta.requests[before], "cf-ray") ?? "";
        assert.match(sent, RAY);
        assert.equal(res.headers["cf-ray"], sent, "the response carries the ray the tenant received");
        rays.add(sent);
      }
      assert.equal(rays.size, 3);
    });

    test("strips every listed Cloudflare request header, in any letter case", async (t) => {
      const spoofed: Record<string, string> = {};
      STRIPPED_CF_REQUEST_HEADERS.forEach((name, i) => {
        spoofed[i % 2 === 0 ? name : name.toLowerCase()] = `spoofed-${i}`;
      });
      const rec = await through(alpha, ALPHA, spoofed);
      for (const name of STRIPPED_CF_REQUEST_HEADERS) {
        await t.test(name, () => assert.deepEqual(headerValues(rec, name), [], `${name} reached the tenant`));
      }
    });

    test("underscore spellings (CF_Connecting_IP) never reach the tenant (nginx drops invalid names)", async () => {
      const rec = await through(alpha, ALPHA, { CF_Connecting_IP: "6.6.6.6", CF_IPCountry: "XX" });
      assert.deepEqual(
        rec.rawHeaders.filter(([name]) => name.includes("_")),
        [],
      );
      assert.equal(headerValue(rec, "cf-connecting-ip"), "127.0.0.1");
    });

    test("limitation, pinned: a CF-* header not on the list still passes (nginx-light cannot match by pattern)", async () => {
      const rec = await through(alpha, ALPHA, { "CF-Harness-Unlisted": "passes" });
      assert.equal(headerValue(rec, "cf-harness-unlisted"), "passes");
    });

    test("ordinary requests carry no Connection or Upgrade upstream, whatever the client sent", async () => {
      for (const extra of [
        "Connection: keep-alive\r\n",
        "Upgrade: websocket\r\n",
        "Connection: close, x-secret\r\n",
      ]) {
        const before = alpha.requests.length;
        const res = await rawRequest(edge.port, `GET /plain HTTP/1.0\r\nHost: ${ALPHA}\r\n${extra}\r\n`);
        assert.equal(res.status, 200, res.body);
        const rec = alpha.requests[before];
        assert.deepEqual(headerValues(rec, "connection"), [], extra);
        assert.deepEqual(headerValues(rec, "upgrade"), [], extra);
      }
    });

    test("WebSocket: the upgrade reaches the tenant with the CDN headers, and messages echo both ways", async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${edge.port}/ws/echo`, {
        headers: { Host: BETA, "CF-Connecting-IP": "6.6.6.6" },
      });
      try {
        await within(
          10_000,
          "WebSocket did not open through the edge",
          new Promise((resolve, reject) => {
            ws.once("open", resolve);
            ws.once("error", reject);
            ws.once("unexpected-response", (_req, res) =>
              reject(new Error(`upgrade refused: ${res.statusCode}`)),
            );
          }),
        );
        const reply = (send: string | Buffer) =>
          within(
            10_000,
            "no WebSocket echo",
            new Promise<{ data: Buffer; binary: boolean }>((resolve) => {
              ws.once("message", (data: Buffer, binary) => resolve({ data, binary }));
              ws.send(send);
            }),
          );
        assert.equal(String((await reply("hello")).data), "beta:hello");
        const binary = await reply(Buffer.from([0, 1, 2, 255]));
        assert.ok(binary.binary);
        assert.deepEqual([...binary.data], [0, 1, 2, 255]);
      } finally {
        ws.terminate();
      }
      const upgrade = beta.upgrades.at(-1)!;
      assert.equal(upgrade.url, "/ws/echo");
      assert.equal(headerValue(upgrade, "upgrade")?.toLowerCase(), "websocket");
      assert.equal(headerValue(upgrade, "connection")?.toLowerCase(), "upgrade");
      assert.equal(headerValue(upgrade, "host"), BETA);
      assert.equal(headerValue(upgrade, "cf-connecting-ip"), "127.0.0.1");
      assert.equal(headerValue(upgrade, "x-forwarded-proto"), variant.proto);
      assert.match(headerValue(upgrade, "cf-ray") ?? "", RAY);
    });

    test("WebSocket to an unknown Host is refused at the edge", async () => {
      const before = seen();
      const ws = new WebSocket(`ws://127.0.0.1:${edge.port}/ws`, { headers: { Host: "evil.example" } });
      const status = await within(
        10_000,
        "no answer to the refused upgrade",
        new Promise<number>((resolve, reject) => {
          ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
          ws.once("open", () => reject(new Error("the upgrade to an unknown Host succeeded")));
          ws.once("error", reject);
        }),
      );
      ws.terminate();
      assert.equal(status, UNKNOWN_HOST_STATUS);
      assert.equal(seen(), before);
    });

    test("tenant down: 502 with a JSON body naming the tenant and its upstream", async () => {
      const res = await edgeRequest(edge.port, GAMMA, { path: "/health" });
      assert.equal(res.status, 502);
      assert.match(String(res.headers["content-type"]), /^application\/json/);
      const body = res.json();
      assert.equal(body.error, "upstream_unreachable");
      assert.equal(body.tenant, "gamma");
      assert.equal(body.upstream, tenants[2].upstream);
      assert.equal(res.headers["cf-ray"], body.ray);
    });

    test("a tenant's own 502 passes through unchanged (the edge only replaces its own errors)", async () => {
      alpha.route("/tenant-says-502", (_req, res) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end("tenant body");
      });
      const res = await edgeRequest(edge.port, ALPHA, { path: "/tenant-says-502" });
      assert.equal(res.status, 502);
      assert.equal(res.text, "tenant body");
    });
  });
}
