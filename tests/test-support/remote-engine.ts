/**
 * A second Docker engine for tests of `harness:engine`: a `dockerd --tlsverify` inside its own
 * network namespace, reachable from this machine only through a veth pair on a private /30 and only
 * with a client certificate from a throwaway CA (openssl CLI). Everything it uses is its own: its
 * data-root, exec-root (with its own supervised containerd), pidfile and log under a temp dir; no
 * unix socket (the only way in is mutual TLS on the namespace's address).
 *
 * Started with `nsenter --net=…`, not `ip netns exec`: the latter remounts /sys, which breaks
 * dockerd's cgroups. Ports it publishes on its own address answer from this machine; its 127.0.0.1
 * is the namespace's own loopback. `stop()` removes every trace: the engine's processes, its mounts,
 * the veth pair, the namespace, the temp dir and the `mirror` rules. Needs root (as the `pulumi`
 * tier does).
 *
 * `mirror`: the engine's builds reach the Debian mirror through this machine, as a CI engine reaches
 * its registry (the sinkhole image installs iptables with apt at build). Only what apt needs is
 * forwarded: DNS and plain HTTP out, their answers back (iptables rules of its own, removed by stop).
 */
import Docker from "dockerode";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { dockerOptions } from "../../program/contracts/engine";

const run = promisify(execFile);

export interface RemoteEngine {
  /** The engine's address inside the namespace (what `host`, publishAddress and clientAddress name). */
  address: string;
  /** `tcp://<address>:2376` */
  host: string;
  /** ca.pem, cert.pem, key.pem of a client the engine accepts (as DOCKER_CERT_PATH). */
  certDir: string;
  /** The same as PEM text (for `tls.ca/cert/key` config). */
  material: { ca: string; cert: string; key: string };
  /** An API client with the client certificate. */
  docker: Docker;
  /** Environment for the `docker` CLI against this engine. */
  env: NodeJS.ProcessEnv;
  /** Stops the engine and removes everything it created; idempotent. */
  stop(): Promise<void>;
}

const PORT = 2376;

async function sh(cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
}

/** A /30 no interface of this machine uses: 10.251.<n>.<4k>. */
function freeSubnet(): { hostIp: string; engineIp: string } {
  for (;;) {
    const third = 1 + Math.floor(Math.random() * 254);
    const fourth = 4 * Math.floor(Math.random() * 63);
    const prefix = `10.251.${third}.`;
    const used = readFileSync("/proc/net/fib_trie", "utf8").includes(prefix);
    if (!used) return { hostIp: `${prefix}${fourth + 1}`, engineIp: `${prefix}${fourth + 2}` };
  }
}

/** A throwaway CA, a server certificate for `ip` and a client certificate (EC P-256, one day). */
async function makeCerts(dir: string, ip: string): Promise<void> {
  const o = (args: string[]) => sh("openssl", args);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await o([
    "req", "-x509", ...ec, "-keyout", join(dir, "ca-key.pem"), "-out", join(dir, "ca.pem"), "-days", "1",
    "-subj", "/CN=harness-test-engine-ca", "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]); // prettier-ignore
  const sign = async (name: string, subject: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    await o(["req", "-new", ...ec, "-keyout", join(dir, `${name}-key.pem`), "-out", join(dir, `${name}.csr`), "-subj", subject]); // prettier-ignore
    await o([
      "x509", "-req", "-in", join(dir, `${name}.csr`), "-CA", join(dir, "ca.pem"), "-CAkey", join(dir, "ca-key.pem"),
      "-CAcreateserial", "-out", join(dir, `${name}-cert.pem`), "-days", "1", "-extfile", join(dir, `${name}.ext`),
    ]); // prettier-ignore
  };
  await sign("server", "/CN=harness-test-engine", `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`);
  await sign("client", "/CN=harness-test-client", "extendedKeyUsage=clientAuth\n");
}

/** Mount points at or below `dir` (deepest first). */
function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

/** Pids of processes in the network namespace whose `ns/net` link is `nsLink` (none of ours else). */
function pidsInNetns(nsLink: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/net`) === nsLink) pids.push(Number(entry));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids;
}

/** Host iptables rules forwarding the engine's DNS and HTTP out (NAT), for `-I`/`-D`. */
function mirrorRules(vethHost: string, subnet: string): string[][] {
  return [
    ["-t", "nat", "POSTROUTING", "-s", subnet, "!", "-o", vethHost, "-j", "MASQUERADE"],
    ["DOCKER-USER", "-i", vethHost, "-p", "udp", "--dport", "53", "-j", "ACCEPT"],
    ["DOCKER-USER", "-i", vethHost, "-p", "tcp", "--dport", "53", "-j", "ACCEPT"],
    ["DOCKER-USER", "-i", vethHost, "-p", "tcp", "--dport", "80", "-j", "ACCEPT"],
    ["DOCKER-USER", "-o", vethHost, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"],
  ];
}

/** `-I`/`-D` of a rule as mirrorRules writes it (the table, when given, goes first). */
function iptables(op: "-I" | "-D", rule: string[]): string[] {
  return rule[0] === "-t" ? [rule[0], rule[1], op, ...rule.slice(2)] : [op, ...rule];
}

export async function startRemoteEngine(options: { mirror?: boolean } = {}): Promise<RemoteEngine> {
  for (const [tool, pkg] of [
    ["ip", "iproute2"],
    ["nsenter", "util-linux"],
    ["openssl", "openssl"],
    ["iptables", "iptables"],
    ["dockerd", "docker.io"],
  ]) {
    await sh("sh", ["-c", `command -v ${tool}`]).catch(() => {
      throw new Error(`the test engine needs \`${tool}\`: apt-get install -y ${pkg}`);
    });
  }
  if (process.getuid?.() !== 0) throw new Error("the test engine needs root (network namespaces, dockerd)");
  const id = randomBytes(3).toString("hex");
  const netns = `hre-${id}`;
  const vethHost = `hre${id}h`;
  const vethEngine = `hre${id}e`;
  // Short: containerd's socket lives below the exec-root, and unix socket paths are ≤ 107 bytes.
  const root = mkdtempSync("/tmp/hre-");
  const certs = join(root, "certs");
  const certDir = join(root, "client");
  mkdirSync(certs);
  mkdirSync(certDir, { mode: 0o700 });
  const { hostIp, engineIp } = freeSubnet();
  let pid: number | undefined;
  let nsLink: string | undefined;
  let stopped = false;
  const rules: string[][] = [];

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (pid !== undefined) {
      try {
        process.kill(pid, "SIGTERM");
        for (let i = 0; i < 300 && alive(pid); i++) await sleep(100);
        if (alive(pid)) process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    // What dockerd left in its namespace (its containerd, shims): ours, by the namespace.
    if (nsLink) {
      for (const p of pidsInNetns(nsLink)) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
    for (const m of mountsUnder(root)) await sh("umount", ["-l", m]).catch(() => undefined);
    for (const rule of rules.reverse()) await sh("iptables", iptables("-D", rule)).catch(() => undefined);
    await sh("ip", ["link", "del", vethHost]).catch(() => undefined);
    await sh("ip", ["netns", "del", netns]).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  };

  try {
    await makeCerts(certs, engineIp);
    for (const [from, to] of [
      ["ca.pem", "ca.pem"],
      ["client-cert.pem", "cert.pem"],
      ["client-key.pem", "key.pem"],
    ])
      writeFileSync(join(certDir, to), readFileSync(join(certs, from)), { mode: 0o600 });

    await sh("ip", ["netns", "add", netns]);
    const nsPath = `/run/netns/${netns}`;
    nsLink = `net:[${statSync(nsPath).ino}]`;
    const inNs = (args: string[]) => sh("nsenter", [`--net=${nsPath}`, ...args]);
    await sh("ip", ["link", "add", vethHost, "type", "veth", "peer", "name", vethEngine]);
    await sh("ip", ["link", "set", vethEngine, "netns", netns]);
    await sh("ip", ["addr", "add", `${hostIp}/30`, "dev", vethHost]);
    await sh("ip", ["link", "set", vethHost, "up"]);
    await inNs(["ip", "link", "set", "lo", "up"]);
    await inNs(["ip", "addr", "add", `${engineIp}/30`, "dev", vethEngine]);
    await inNs(["ip", "link", "set", vethEngine, "up"]);
    if (options.mirror) {
      await inNs(["ip", "route", "add", "default", "via", hostIp]);
      for (const rule of mirrorRules(vethHost, `${engineIp}/32`)) {
        await sh("iptables", iptables("-I", rule));
        rules.push(rule);
      }
    }

    writeFileSync(join(root, "daemon.json"), "{}\n");
    const log = openSync(join(root, "dockerd.log"), "a");
    const child = spawn(
      "nsenter",
      [
        `--net=${nsPath}`,
        "dockerd",
        "--tlsverify",
        `--tlscacert=${join(certs, "ca.pem")}`,
        `--tlscert=${join(certs, "server-cert.pem")}`,
        `--tlskey=${join(certs, "server-key.pem")}`,
        `--host=tcp://${engineIp}:${PORT}`,
        `--data-root=${join(root, "data")}`,
        `--exec-root=${join(root, "exec")}`,
        `--pidfile=${join(root, "docker.pid")}`,
        // Not the machine's /etc/docker/daemon.json: this engine is configured here only.
        `--config-file=${join(root, "daemon.json")}`,
      ],
      { stdio: ["ignore", log, log], detached: true },
    );
    pid = child.pid;
    child.unref();

    const material = {
      ca: readFileSync(join(certDir, "ca.pem"), "utf8"),
      cert: readFileSync(join(certDir, "cert.pem"), "utf8"),
      key: readFileSync(join(certDir, "key.pem"), "utf8"),
    };
    const host = `tcp://${engineIp}:${PORT}`;
    const docker = new Docker(dockerOptions({ host, certPath: certDir }));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (await docker.ping().then(() => true, () => false)) break; // prettier-ignore
      if (pid === undefined || !alive(pid) || Date.now() > deadline) {
        const tail = readFileSync(join(root, "dockerd.log"), "utf8").split("\n").slice(-15).join("\n");
        throw new Error(`the test engine did not come up on ${host}:\n${tail}`);
      }
      await sleep(200);
    }
    return {
      address: engineIp,
      host,
      certDir,
      material,
      docker,
      env: { DOCKER_HOST: host, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certDir },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
