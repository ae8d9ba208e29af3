import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { after, before, describe, it } from "node:test";
import dnsPacket from "dns-packet";
import type { EgressEntry } from "../../program/contracts/egress";
import { conntrackPort, httpHostOf, sniOf, startSinkhole, TLS_ALERT, type Sinkhole } from "./sinkhole";

describe("sinkhole on loopback", () => {
  const journal: EgressEntry[] = [];
  let sink: Sinkhole;
  before(async () => {
    sink = await startSinkhole({
      address: "10.9.8.7",
      bind: "127.0.0.1",
      dnsPort: 0,
      tcpPort: 0,
      udpPort: 0,
      journal: (e) => journal.push(e),
      sourceName: async (ip) => (ip === "127.0.0.1" ? "test-tenant" : undefined),
      originalPort: () => 4242,
      idleMs: 200,
    });
  });
  after(() => sink.close());
  const entriesFor = async (protocol: string) => {
    for (let i = 0; i < 50 && !journal.some((e) => e.protocol === protocol); i++)
      await new Promise((r) => setTimeout(r, 10));
    return journal.filter((e) => e.protocol === protocol);
  };

  it("answers every A question with its own address, AAAA with nothing, and journals the name", async () => {
    const ask = (type: "A" | "AAAA") =>
      new Promise<dnsPacket.Packet>((resolve, reject) => {
        const udp = createSocket("udp4");
        udp.on("message", (m) => {
          udp.close();
          resolve(dnsPacket.decode(m));
        });
        udp.on("error", reject);
        udp.send(
          dnsPacket.encode({ type: "query", id: 7, questions: [{ type, name: "API.Payments.example" }] }),
          sink.dnsPort,
          "127.0.0.1",
        );
      });
    const a = await ask("A");
    assert.equal(a.id, 7);
    assert.deepEqual(
      a.answers?.map((x) => [x.type, "data" in x ? x.data : undefined]),
      [["A", "10.9.8.7"]],
    );
    assert.equal((await ask("AAAA")).answers?.length, 0);
    const [entry] = await entriesFor("dns");
    assert.equal(entry.source, "test-tenant");
    assert.equal(entry.host, "api.payments.example");
    assert.equal(entry.port, 53);
  });

  it("answers HTTP with 502 and a JSON body naming the harness; journals Host and the original port", async () => {
    const response = await new Promise<string>((resolve, reject) => {
      const s = connect(sink.tcpPort, "127.0.0.1", () =>
        s.write("POST /v1/charges HTTP/1.1\r\nHost: api.payments.example:8443\r\nContent-Length: 0\r\n\r\n"),
      );
      let text = "";
      s.on("data", (d) => (text += d.toString()));
      s.on("end", () => resolve(text));
      s.on("error", reject);
    });
    assert.match(response, /^HTTP\/1\.1 502 /);
    const body = JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4)) as Record<string, unknown>;
    assert.equal(body.error, "egress_blocked");
    assert.match(String(body.harness), /harness/);
    assert.equal(body.host, "api.payments.example");
    const [entry] = await entriesFor("http");
    assert.deepEqual(
      { host: entry.host, port: entry.port, source: entry.source },
      { host: "api.payments.example", port: 4242, source: "test-tenant" },
    );
  });

  it("answers TLS with an alert and journals the SNI", async () => {
    const error = await new Promise<Error>((resolve) => {
      const s = tlsConnect({ port: sink.tcpPort, host: "127.0.0.1", servername: "hooks.mail.example" });
      s.on("error", resolve);
      s.on("secureConnect", () => resolve(new Error("handshake unexpectedly succeeded")));
    });
    assert.match(error.message, /handshake failure|alert/i);
    const [entry] = await entriesFor("tls");
    assert.equal(entry.host, "hooks.mail.example");
  });

  it("resets another protocol, and a silent connection, naming the source's last DNS question", async () => {
    const outcome = await new Promise<string>((resolve) => {
      const s = connect(sink.tcpPort, "127.0.0.1", () => s.write(Buffer.from([0, 0, 0, 8, 4, 210, 22, 47])));
      s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      s.on("close", () => resolve("closed"));
    });
    assert.equal(outcome, "ECONNRESET");
    const silent = await new Promise<string>((resolve) => {
      const s = connect(sink.tcpPort, "127.0.0.1");
      s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      s.on("close", () => resolve("closed"));
    });
    assert.equal(silent, "ECONNRESET");
    const entries = await entriesFor("tcp");
    assert.equal(entries.length, 2);
    assert.equal(entries[0].host, "api.payments.example");
  });

  it("journals a datagram to any other UDP port once a second, with the source's last name", async () => {
    const udp = createSocket("udp4");
    for (let i = 0; i < 3; i++)
      await new Promise<void>((resolve) =>
        udp.send("page.views:1|c", sink.udpPort!, "127.0.0.1", () => resolve()),
      );
    udp.close();
    const entries = await entriesFor("udp");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(journal.filter((e) => e.protocol === "udp").length, 1);
    assert.deepEqual(
      { host: entries[0].host, port: entries[0].port, source: entries[0].source },
      { host: "api.payments.example", port: 4242, source: "test-tenant" },
    );
  });

  it("marks the harness's own probe names", async () => {
    await new Promise<void>((resolve) => {
      const s = connect(sink.tcpPort, "127.0.0.1", () =>
        s.end("GET / HTTP/1.1\r\nHost: no-egress.harness.invalid\r\n\r\n"),
      );
      s.on("close", () => resolve());
      s.on("data", () => undefined);
    });
    const entry = (await entriesFor("http")).find((e) => e.host === "no-egress.harness.invalid");
    assert.equal(entry?.probe, true);
  });
});

describe("sinkhole parsers", () => {
  it("reads the Host header without its port", () => {
    assert.equal(httpHostOf("GET / HTTP/1.1\r\nhost: a.example:80\r\n\r\n"), "a.example");
    assert.equal(httpHostOf("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"), "[::1]");
    assert.equal(httpHostOf("GET / HTTP/1.0\r\n\r\n"), null);
  });
  it("finds no SNI in a truncated or non-TLS buffer", () => {
    assert.equal(sniOf(Buffer.from([0x16, 3, 1, 0, 5, 1, 0])), null);
    assert.equal(sniOf(Buffer.from("GET / HTTP/1.1")), null);
    assert.equal(TLS_ALERT[0], 0x15);
  });
  it("recovers the original port of a redirected connection from conntrack", () => {
    const text =
      "ipv4     2 tcp      6 431999 ESTABLISHED src=172.19.0.3 dst=172.19.0.2 sport=48986 dport=4242 src=172.19.0.2 dst=172.19.0.3 sport=9999 dport=48986 [ASSURED] mark=0\n";
    assert.equal(conntrackPort(text, "172.19.0.3", 48986), 4242);
    assert.equal(conntrackPort(text, "172.19.0.3", 1), undefined);
  });
});
