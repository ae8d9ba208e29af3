/**
 * The sinkhole: where every name the harness does not own leads (issue 14). Its DNS answers any
 * question with its own address, so a tenant's call to an outside name fails fast here instead of
 * hanging; its one TCP listener receives every port (the container redirects all TCP to it, main.ts)
 * and refuses with something the caller understands: HTTP 502 with a JSON body naming the harness,
 * a TLS alert, or a reset; UDP datagrams (redirected to one socket too) are journaled, unanswered.
 * Each attempt is journaled once, with the source container and the name asked for
 * (program/contracts/egress.ts).
 */
import dnsPacket from "dns-packet";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { PROBE_DOMAIN, type EgressEntry, type EgressProtocol } from "../../program/contracts/egress";

export interface SinkholeOptions {
  /** The IPv4 address every A question is answered with (the sinkhole's own on the network). */
  address: string;
  /** Interface to bind (default all). */
  bind?: string;
  dnsPort: number;
  tcpPort: number;
  /** Where every other UDP datagram is redirected (statsd, syslog, …); absent: none. */
  udpPort?: number;
  journal: (entry: EgressEntry) => void;
  /** The container name of a source address, when the network knows it. */
  sourceName: (ip: string) => Promise<string | undefined>;
  /** The port the caller dialled before the redirect (conntrack), when known. */
  originalPort?: (remoteAddress: string, remotePort: number) => number | undefined;
  /** How long a connection may stay silent before it is reset as "tcp" (default 1000 ms). */
  idleMs?: number;
  /** Time source (tests). */
  now?: () => Date;
}

export interface Sinkhole {
  dnsPort: number;
  tcpPort: number;
  udpPort?: number;
  close(): Promise<void>;
}

/** What the harness answers an HTTP attempt with. */
export function refusalBody(host: string | null, port: number): string {
  return JSON.stringify({
    error: "egress_blocked",
    harness: "production-shape harness sinkhole",
    message: `no call leaves the harness: ${host ?? "this address"}:${port} is not one of its services; stub it (cp-stub) or allow it (harness:egress.allow)`,
    host,
    port,
  });
}

/** A fatal handshake_failure alert (TLS 1.2 record framing, which every TLS client reads). */
export const TLS_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);

/** The server name of a TLS ClientHello, or null (pure; a truncated hello yields null). */
export function sniOf(b: Buffer): string | null {
  try {
    if (b[0] !== 0x16 || b[5] !== 0x01) return null;
    let i = 43; // record header (5) + handshake header (4) + version (2) + random (32)
    i += 1 + b[i]; // session id
    i += 2 + b.readUInt16BE(i); // cipher suites
    i += 1 + b[i]; // compression methods
    const end = i + 2 + b.readUInt16BE(i);
    i += 2;
    while (i + 4 <= end && i + 4 <= b.length) {
      const type = b.readUInt16BE(i);
      const len = b.readUInt16BE(i + 2);
      if (type === 0 && b[i + 6] === 0) return b.toString("ascii", i + 9, i + 9 + b.readUInt16BE(i + 7));
      i += 4 + len;
    }
  } catch {
    // RangeError: truncated
  }
  return null;
}

/** The Host header of an HTTP/1 request head, without its port, or null (pure). */
export function httpHostOf(head: string): string | null {
  const match = /\r\nhost:[ \t]*([^\r\n]*)/i.exec(head);
  if (!match) return null;
  const host = match[1].trim();
  return (host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "")) || null;
}

/** Whether the first bytes look like an HTTP/1 request line (pure). */
export function looksLikeHttp(b: Buffer): boolean {
  return /^[A-Z]{3,10} \S/.test(b.toString("latin1", 0, 16));
}

/** The original destination port of a redirected connection from /proc/net/nf_conntrack text (pure). */
export function conntrackPort(text: string, remoteAddress: string, remotePort: number): number | undefined {
  for (const line of text.split("\n")) {
    const m = /src=(\S+) dst=\S+ sport=(\d+) dport=(\d+)/.exec(line);
    if (m && m[1] === remoteAddress && Number(m[2]) === remotePort) return Number(m[3]);
  }
  return undefined;
}

const plainIp = (address: string | undefined) => (address ?? "").replace(/^::ffff:/, "");

export async function startSinkhole(o: SinkholeOptions): Promise<Sinkhole> {
  const now = o.now ?? (() => new Date());
  const idleMs = o.idleMs ?? 1000;
  // The last name each source asked for: a raw TCP attempt carries none of its own.
  const lastName = new Map<string, string>();

  const record = async (sourceIp: string, host: string | null, port: number, protocol: EgressProtocol) => {
    const time = now().toISOString();
    const source = (await o.sourceName(sourceIp).catch(() => undefined)) ?? sourceIp;
    const name = host?.toLowerCase().replace(/\.$/, "") ?? null;
    const probe = name !== null && (name === PROBE_DOMAIN || name.endsWith(`.${PROBE_DOMAIN}`));
    o.journal({ time, source, sourceIp, host: name, port, protocol, ...(probe ? { probe } : {}) });
  };

  const udp: UdpSocket = createSocket("udp4");
  udp.on("message", (message, remote) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const questions = query.questions ?? [];
    const answers: dnsPacket.Answer[] = questions
      .filter((q) => q.type === "A")
      .map((q) => ({ type: "A", name: q.name, ttl: 5, data: o.address }));
    udp.send(
      dnsPacket.encode({
        type: "response",
        id: query.id,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHORITATIVE_ANSWER,
        questions,
        answers,
      }),
      remote.port,
      remote.address,
    );
    // One entry per name (glibc asks A and AAAA for one lookup): the A question, else the first.
    const q = questions.find((x) => x.type === "A") ?? questions[0];
    if (q) {
      lastName.set(remote.address, q.name);
      void record(remote.address, q.name, 53, "dns");
    }
  });

  const handle = (socket: Socket) => {
    const sourceIp = plainIp(socket.remoteAddress);
    const port = o.originalPort?.(sourceIp, socket.remotePort ?? 0) ?? socket.localPort ?? o.tcpPort;
    const fallback = lastName.get(sourceIp) ?? null;
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (protocol: EgressProtocol, host: string | null, respond: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void record(sourceIp, host ?? fallback, port, protocol);
      respond();
    };
    const reset = () => finish("tcp", null, () => socket.resetAndDestroy());
    const timer = setTimeout(() => {
      if (looksLikeHttp(buffered)) finishHttp();
      else reset();
    }, idleMs);
    const finishHttp = () => {
      const host = httpHostOf(buffered.toString("latin1"));
      finish("http", host, () => {
        const body = refusalBody(host ?? fallback, port);
        socket.end(
          `HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\nx-harness-sinkhole: 1\r\n\r\n${body}`,
        );
      });
    };
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      if (done) return;
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered[0] === 0x16) {
        const length = buffered.length >= 5 ? 5 + buffered.readUInt16BE(3) : Infinity;
        if (buffered.length >= Math.min(length, 16384))
          finish("tls", sniOf(buffered), () => socket.end(TLS_ALERT));
      } else if (looksLikeHttp(buffered)) {
        if (buffered.includes("\r\n\r\n") || buffered.length > 16384) finishHttp();
      } else if (buffered.length >= 16) reset();
    });
    socket.on("end", () => (looksLikeHttp(buffered) ? finishHttp() : reset()));
  };
  const tcp: Server = createServer({ allowHalfOpen: true }, handle);

  // Datagrams have no connection: one entry per source, port and name a second (a metrics client
  // sends many), and no answer.
  const udpSeen = new Map<string, number>();
  const datagrams: UdpSocket | undefined = o.udpPort === undefined ? undefined : createSocket("udp4");
  datagrams?.on("message", (_message, remote) => {
    const port = o.originalPort?.(remote.address, remote.port) ?? o.udpPort!;
    const name = lastName.get(remote.address) ?? null;
    const key = `${remote.address} ${port} ${name}`;
    const t = now().getTime();
    if (t - (udpSeen.get(key) ?? -Infinity) < 1000) return;
    udpSeen.set(key, t);
    void record(remote.address, name, port, "udp");
  });

  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(o.dnsPort, o.bind, () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(o.tcpPort, o.bind, () => resolve());
  });
  if (datagrams)
    await new Promise<void>((resolve, reject) => {
      datagrams.once("error", reject);
      datagrams.bind(o.udpPort, o.bind, () => resolve());
    });
  const tcpAddress = tcp.address();
  return {
    dnsPort: udp.address().port,
    tcpPort: typeof tcpAddress === "object" && tcpAddress ? tcpAddress.port : o.tcpPort,
    ...(datagrams ? { udpPort: datagrams.address().port } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        datagrams?.close();
        udp.close(() => tcp.close(() => resolve()));
      }),
  };
}
