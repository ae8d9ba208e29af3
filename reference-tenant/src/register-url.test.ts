import assert from "node:assert/strict";
import { test } from "node:test";
import { isBlockedAddress, isSafeWorkspaceUrl } from "./register-url";

const resolver = (table: Record<string, string[]>) => async (host: string) => {
  if (!(host in table)) throw new Error(`ENOTFOUND ${host}`);
  return table[host];
};

test("register url: blocked ranges in every mode", () => {
  for (const address of [
    "127.0.0.1",
    "127.8.8.8",
    "0.0.0.0",
    "169.254.169.254",
    "100.64.0.1",
    "192.0.2.10",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",
    "::1",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "2001:db8::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
  ]) {
    assert.equal(isBlockedAddress(address, true), true, `${address} (saas)`);
    assert.equal(isBlockedAddress(address, false), true, `${address} (self-hosted)`);
  }
});

test("register url: RFC-1918 and fd00::/8 only in saas mode", () => {
  for (const address of ["10.0.0.5", "172.16.3.4", "192.168.1.1", "fd12::1"]) {
    assert.equal(isBlockedAddress(address, true), false, `${address} (saas)`);
    assert.equal(isBlockedAddress(address, false), true, `${address} (self-hosted)`);
  }
  assert.equal(isBlockedAddress("93.184.216.34", false), false);
});

test("register url: scheme, literals, localhost by name, resolved names", async () => {
  const resolve = resolver({
    "agent.internal": ["10.1.2.3"],
    "public.example": ["93.184.216.34"],
    "sneaky.example": ["93.184.216.34", "169.254.169.254"],
    "empty.example": [],
  });
  const rows: [string, boolean, boolean][] = [
    ["http://localhost:8000", true, true],
    ["http://LOCALHOST:8000/a2a", true, true],
    ["http://127.0.0.1:8000", false, false],
    ["http://[::1]:8000", false, false],
    ["http://169.254.169.254/latest", false, false],
    ["http://10.0.0.8:8000", true, false],
    ["https://public.example/agent", true, true],
    ["http://agent.internal:8000", true, false],
    ["http://sneaky.example", false, false],
    ["http://empty.example", false, false],
    ["http://unknown.example", false, false],
    ["ftp://public.example", false, false],
    ["not a url", false, false],
    ["http://[fd00::1]:80", true, false],
  ];
  for (const [url, saas, selfHosted] of rows) {
    assert.equal(await isSafeWorkspaceUrl(url, true, resolve), saas, `${url} (saas)`);
    assert.equal(await isSafeWorkspaceUrl(url, false, resolve), selfHosted, `${url} (self-hosted)`);
  }
});
