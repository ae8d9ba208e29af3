/**
 * SSRF guard for the URL a workspace registers (docs/anchor.md#registry): the tenant later calls that URL
 * on the workspace's behalf, so it must be http(s) and must not point at loopback, link-local
 * (cloud metadata), CGNAT, TEST-NET, multicast, IPv6 ULA or documentation ranges. Private RFC-1918 /
 * fd00::/8 addresses are allowed only in SaaS mode, where workspaces live on the tenant's VPC.
 * Host names are resolved and every address is checked; `localhost` is accepted by name.
 */
import { BlockList, isIP } from "node:net";
import { parseHttpUrl } from "./validate";

/** Resolves a host name to its addresses (DI: tests never touch real DNS). */
export type Resolver = (hostname: string) => Promise<string[]>;

function buildBlockList(allowPrivate: boolean): BlockList {
  const list = new BlockList();
  const v4: [string, number][] = [
    ["0.0.0.0", 8],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["100.64.0.0", 10],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ];
  const v6: [string, number][] = [
    ["::", 128],
    ["::1", 128],
    ["fe80::", 10],
    ["fc00::", 8],
    ["ff00::", 8],
    ["2001:db8::", 32],
  ];
  if (!allowPrivate) {
    v4.push(["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16]);
    v6.push(["fd00::", 8]);
  }
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, "ipv4");
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, "ipv6");
  return list;
}

const SAAS_BLOCKS = buildBlockList(true);
const SELF_HOSTED_BLOCKS = buildBlockList(false);

export function isBlockedAddress(address: string, saasMode: boolean): boolean {
  const blocks = saasMode ? SAAS_BLOCKS : SELF_HOSTED_BLOCKS;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocks.check(mapped[1], "ipv4");
  const family = isIP(address);
  if (family === 4) return blocks.check(address, "ipv4");
  if (family === 6) return blocks.check(address, "ipv6");
  return true; // not an address at all
}

export async function isSafeWorkspaceUrl(
  raw: string,
  saasMode: boolean,
  resolve: Resolver,
): Promise<boolean> {
  const url = parseHttpUrl(raw);
  if (!url) return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host.toLowerCase() === "localhost") return true;
  if (isIP(host) !== 0) return !isBlockedAddress(host, saasMode);
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return false;
  }
  return addresses.length > 0 && addresses.every((a) => !isBlockedAddress(a, saasMode));
}
