/**
 * A tiny authoritative DNS server on loopback (UDP, A records only) standing in for Docker's embedded
 * DNS: a test points the edge's `resolver` at it and changes a name's address, as when a tenant
 * container is replaced and comes back on a new IP.
 */
import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";

export interface DnsStub {
  readonly port: number;
  /** `127.0.0.1:<port>`, as the edge's `resolver` option. */
  readonly address: string;
  /** Answer `name` with `ipv4` from now on (null: NXDOMAIN). */
  set(name: string, ipv4: string | null): void;
  /** How many queries for `name` arrived. */
  queries(name: string): number;
  close(): Promise<void>;
}

const TYPE_A = 1;
const CLASS_IN = 1;
const RCODE_NXDOMAIN = 3;

interface Question {
  name: string;
  type: number;
  /** Offset just past the question section. */
  end: number;
}

function parseQuestion(msg: Buffer): Question | null {
  let offset = 12;
  const labels: string[] = [];
  while (offset < msg.length) {
    const length = msg[offset];
    offset += 1;
    if (length === 0) break;
    if (length > 63) return null; // compression is never used in a question from nginx
    labels.push(msg.subarray(offset, offset + length).toString("latin1"));
    offset += length;
  }
  if (offset + 4 > msg.length) return null;
  return { name: labels.join(".").toLowerCase(), type: msg.readUInt16BE(offset), end: offset + 4 };
}

function answer(query: Buffer, question: Question, ipv4: string | null): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  const recursionDesired = query.readUInt16BE(2) & 0x0100;
  const hasAnswer = ipv4 !== null && question.type === TYPE_A;
  // QR + AA, RD echoed; NXDOMAIN for unknown names, NOERROR with no answer for other types.
  header.writeUInt16BE(0x8400 | recursionDesired | (ipv4 === null ? RCODE_NXDOMAIN : 0), 2);
  header.writeUInt16BE(1, 4); // qdcount
  header.writeUInt16BE(hasAnswer ? 1 : 0, 6); // ancount
  const parts = [header, query.subarray(12, question.end)];
  if (hasAnswer) {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // name: pointer to the question's name
    record.writeUInt16BE(TYPE_A, 2);
    record.writeUInt16BE(CLASS_IN, 4);
    record.writeUInt32BE(1, 6); // TTL; the edge's `valid=` overrides it anyway
    record.writeUInt16BE(4, 10);
    ipv4.split(".").forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
    parts.push(record);
  }
  return Buffer.concat(parts);
}

export async function startDnsStub(): Promise<DnsStub> {
  const records = new Map<string, string | null>();
  const counts = new Map<string, number>();
  const socket = createSocket("udp4");
  socket.on("message", (msg, from) => {
    const question = parseQuestion(msg);
    if (question === null) return;
    counts.set(question.name, (counts.get(question.name) ?? 0) + 1);
    socket.send(answer(msg, question, records.get(question.name) ?? null), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const port = (socket.address() as AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    set: (name, ipv4) => void records.set(name.toLowerCase(), ipv4),
    queries: (name) => counts.get(name.toLowerCase()) ?? 0,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
