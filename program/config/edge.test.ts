import assert from "node:assert/strict";
import { test } from "node:test";
import { edgeOptions } from "./edge";

test("edge options: tenant aliases on the tenant port, Docker DNS, config passed through", () => {
  const options = edgeOptions([{ name: "alpha" }, { name: "beta" }], {
    port: 0,
    bindAddress: "127.0.0.1",
    forwardedProto: "http",
    readTimeoutSeconds: 5,
    maxBodySize: "1m",
  });
  assert.deepEqual(options, {
    tenants: [
      { name: "alpha", upstream: "tenant-alpha:8080" },
      { name: "beta", upstream: "tenant-beta:8080" },
    ],
    listen: "8080",
    forwardedProto: "http",
    readTimeoutSeconds: 5,
    maxBodySize: "1m",
    resolver: "127.0.0.11",
  });
});
