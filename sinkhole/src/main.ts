/**
 * The sinkhole container's process. Runs as root with NET_ADMIN (that container only): it first
 * redirects every TCP port of its network namespace to its one listener (and every UDP port but
 * DNS to one socket), so a caller gets an answer on whatever port it dialled; the original port
 * comes back from conntrack. Journal: one
 * `{"egress": …}` JSON line per attempt on stdout, read back through the container's logs.
 */
import { execFileSync } from "node:child_process";
import { promises as dns } from "node:dns";
import { readFileSync, writeFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { conntrackPort, startSinkhole } from "./sinkhole";

const TCP_PORT = Number(process.env.SINKHOLE_TCP_PORT ?? 9999);
const UDP_PORT = Number(process.env.SINKHOLE_UDP_PORT ?? 9998);
/** The healthcheck's file: written once both listeners are up. */
export const READY_FILE = "/tmp/sinkhole-ready";

function ownAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  throw new Error("sinkhole: no IPv4 address on any interface");
}

/**
 * The source's container name: Docker's embedded DNS answers PTR questions with
 * `<container>.<network>`. Cached a few seconds only: a replaced container's address goes to the
 * next container created, so a name kept longer would blame the wrong one.
 */
const NAME_TTL_MS = 5000;
const names = new Map<string, { at: number; name: Promise<string | undefined> }>();
function sourceName(ip: string): Promise<string | undefined> {
  const cached = names.get(ip);
  if (cached && Date.now() - cached.at < NAME_TTL_MS) return cached.name;
  const name = dns.reverse(ip).then(
    (hosts) => hosts[0]?.split(".")[0],
    () => undefined,
  );
  names.set(ip, { at: Date.now(), name });
  return name;
}

function originalPort(remoteAddress: string, remotePort: number): number | undefined {
  try {
    return conntrackPort(readFileSync("/proc/net/nf_conntrack", "utf8"), remoteAddress, remotePort);
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  // Every TCP port but the listener's, every UDP port but DNS and the datagram listener's.
  const rules = [
    `-p tcp ! --dport ${TCP_PORT} -j REDIRECT --to-ports ${TCP_PORT}`,
    "-p udp --dport 53 -j RETURN",
    `-p udp ! --dport ${UDP_PORT} -j REDIRECT --to-ports ${UDP_PORT}`,
  ];
  for (const rule of rules) execFileSync("iptables", ["-t", "nat", "-A", "PREROUTING", ...rule.split(" ")]);
  await startSinkhole({
    address: ownAddress(),
    dnsPort: 53,
    tcpPort: TCP_PORT,
    udpPort: UDP_PORT,
    journal: (entry) => process.stdout.write(`${JSON.stringify({ egress: entry })}\n`),
    sourceName,
    originalPort,
  });
  writeFileSync(READY_FILE, "ok\n");
  process.stderr.write(`sinkhole: DNS on :53, every TCP port via :${TCP_PORT}, UDP via :${UDP_PORT}\n`);
}

process.on("SIGTERM", () => process.exit(0));
main().catch((error: unknown) => {
  process.stderr.write(`sinkhole: ${(error as Error).message}\n`);
  process.exit(1);
});
