import assert from "node:assert/strict";
import { test } from "node:test";
import { parseFlatConfig } from "./cp-config-refresh";
import { interpret } from "./provisioner";
import { outgoingHeaders, responseHeaders } from "./proxy";

test("provision response: only 201 with instance_id and state is success", () => {
  assert.deepEqual(interpret(201, '{"instance_id":"mol-ws-1","state":"running"}'), {
    ok: true,
    instanceId: "mol-ws-1",
    state: "running",
  });
  assert.match((interpret(200, '{"instance_id":"x","state":"y"}') as { reason: string }).reason, /\(200\)/);
  assert.equal(interpret(500, "boom").ok, false);
  assert.equal(interpret(201, '{"id":"x"}').ok, false);
  assert.equal(interpret(201, "not json").ok, false);
  assert.equal(interpret(201, '{"instance_id":"","state":"running"}').ok, false);
});

test("cp config: a flat object of strings is usable; the cp-stub's nested body is not", () => {
  assert.deepEqual(parseFlatConfig('{"A":"1","B":"two"}'), { values: { A: "1", B: "two" } });
  assert.match(
    (parseFlatConfig('{"runtimes":["x"]}') as { reason: string }).reason,
    /key "runtimes" holds an array/,
  );
  assert.match((parseFlatConfig('{"n":1}') as { reason: string }).reason, /a number/);
  assert.match((parseFlatConfig("[]") as { reason: string }).reason, /not a JSON object/);
  assert.match((parseFlatConfig("nope") as { reason: string }).reason, /not JSON/);
  assert.match(
    (parseFlatConfig(JSON.stringify({ BIG: "x".repeat(5000) })) as { reason: string }).reason,
    /exceeds/,
  );
});

test("proxy headers: Host rewritten, hop-by-hop dropped, X-Forwarded-For appended, drops honoured", () => {
  const out = outgoingHeaders(
    {
      host: "harness-tenant-alpha.localhost",
      connection: "keep-alive, x-hop",
      "x-hop": "1",
      "keep-alive": "timeout=5",
      "transfer-encoding": "chunked",
      upgrade: "h2c",
      te: "trailers",
      authorization: "Bearer t",
      cookie: "a=1",
      "x-forwarded-for": "203.0.113.7",
      accept: "text/html",
    },
    { targetHost: "cp-stub:9090", clientIp: "172.18.0.5", drop: ["cookie"] },
  );
  assert.deepEqual(out, {
    host: "cp-stub:9090",
    authorization: "Bearer t",
    accept: "text/html",
    "x-forwarded-for": "203.0.113.7, 172.18.0.5",
  });
  assert.equal(outgoingHeaders({}, { targetHost: "h", clientIp: "1.2.3.4" })["x-forwarded-for"], "1.2.3.4");
  assert.deepEqual(
    responseHeaders({ "content-type": "a", connection: "close", "transfer-encoding": "chunked" }),
    {
      "content-type": "a",
    },
  );
});
