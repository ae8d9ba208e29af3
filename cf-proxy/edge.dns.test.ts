/**
 * The resolver shape (as in Docker) in real nginx, with a loopback DNS stub standing in for Docker's
 * embedded DNS: a tenant container replaced on a new IP is found again without restarting the edge,
 * and a name that does not resolve is a 502 with the JSON body.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { tenantHost } from "../program/contracts/hosts";
import { freePort } from "../tools/loopback/free-port";
import { startDnsStub, type DnsStub } from "./test-support/dns-stub";
import { edgeRequest, startEdge, type RunningEdge } from "./test-support/edge";
import { startRecordingUpstream, type RecordingUpstream } from "./test-support/recording-upstream";

// Two loopback addresses play the old and the new container IP (all of 127.0.0.0/8 is loopback).
const OLD_IP = "127.0.0.2";
const NEW_IP = "127.0.0.3";

describe("edge: upstream names through a resolver", () => {
  let dns: DnsStub;
  let edge: RunningEdge;
  let oldTenant: RecordingUpstream;
  let newTenant: RecordingUpstream | undefined;
  let port: number;

  before(async () => {
    dns = await startDnsStub();
    port = await freePort();
    oldTenant = await startRecordingUpstream("alpha-old", OLD_IP, port);
    dns.set("tenant-alpha", OLD_IP);
    edge = await startEdge({
      tenants: [
        { name: "alpha", upstream: `tenant-alpha:${port}` },
        { name: "ghost", upstream: "tenant-ghost:8080" },
      ],
      resolver: dns.address,
      resolverValidSeconds: 1,
    });
  });

  after(async () => {
    await edge?.stop();
    await oldTenant?.close();
    await newTenant?.close();
    await dns?.close();
  });

  test("reaches the tenant at the address DNS gives", async () => {
    const res = await edgeRequest(edge.port, tenantHost("alpha"), { path: "/first" });
    assert.equal(res.status, 200, `${res.text}\n${edge.log()}`);
    assert.equal(res.json().tenant, "alpha-old");
    assert.ok(dns.queries("tenant-alpha") >= 1);
  });

  test("a tenant replaced on a new IP is found again, without restarting the edge", async () => {
    // The replacement: the old container goes away, the new one answers elsewhere, DNS follows.
    await oldTenant.close();
    newTenant = await startRecordingUpstream("alpha-new", NEW_IP, port);
    dns.set("tenant-alpha", NEW_IP);
    // The edge may answer 502 from its cached old address until `valid=1s` expires: retry until
    // the new tenant answers (bounded; a static upstream would never get there).
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      const res = await edgeRequest(edge.port, tenantHost("alpha"), { path: "/after-replace" });
      statuses.push(res.status);
      if (res.status === 200) {
        assert.equal(res.json().tenant, "alpha-new");
        assert.equal(newTenant.requests.at(-1)?.url, "/after-replace");
        return;
      }
      assert.equal(res.status, 502, res.text);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`the edge never reached the replaced tenant; statuses: ${statuses.join(",")}\n${edge.log()}`);
  });

  test("an upstream name that does not resolve is a 502 with the JSON body", async () => {
    const res = await edgeRequest(edge.port, tenantHost("ghost"), { path: "/" });
    assert.equal(res.status, 502);
    const body = res.json();
    assert.equal(body.error, "upstream_unreachable");
    assert.equal(body.upstream, "tenant-ghost:8080");
    assert.ok(dns.queries("tenant-ghost") >= 1, "the edge never asked the resolver");
  });
});
