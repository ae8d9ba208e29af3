import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { containerCreateOptions, flattenPorts, uploadTar } from "./container";
import { demuxDockerStream } from "./logs";

describe("docker.Container → the Docker create request", () => {
  const inputs = {
    name: "ci-1-cf-proxy",
    image: "sha256:abc",
    envs: ["A=1"],
    labels: [
      { label: "harness.role", value: "cf-proxy" },
      { label: "harness.stack", value: "harness/ci-1" },
    ],
    networksAdvanced: [{ name: "ci-1-net", aliases: ["cf-proxy"] }],
    healthcheck: { tests: ["CMD", "true"], interval: "1s", timeout: "3s", retries: 30, startPeriod: "30s" },
    ports: [
      { internal: 8080, ip: "127.0.0.1", protocol: "tcp" },
      { internal: 9090, external: 19090 },
    ],
    restart: "no",
    logDriver: "json-file",
  };

  test("name, image, env, labels, healthcheck in nanoseconds", () => {
    const o = containerCreateOptions(inputs);
    assert.equal(o.name, "ci-1-cf-proxy");
    assert.equal(o.Image, "sha256:abc");
    assert.deepEqual(o.Env, ["A=1"]);
    assert.deepEqual(o.Labels, { "harness.role": "cf-proxy", "harness.stack": "harness/ci-1" });
    assert.deepEqual(o.Healthcheck, {
      Test: ["CMD", "true"],
      Interval: 1e9,
      Timeout: 3e9,
      StartPeriod: 30e9,
      Retries: 30,
    });
  });

  test("ports: exposed, bound to the declared address (0.0.0.0 by default, as the provider), free port when unset", () => {
    const o = containerCreateOptions(inputs);
    assert.deepEqual(o.ExposedPorts, { "8080/tcp": {}, "9090/tcp": {} });
    assert.deepEqual(o.HostConfig?.PortBindings, {
      "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }],
      "9090/tcp": [{ HostIp: "0.0.0.0", HostPort: "19090" }],
    });
  });

  test("the declared network with its aliases; restart policy and log driver", () => {
    const o = containerCreateOptions(inputs);
    assert.equal(o.HostConfig?.NetworkMode, "ci-1-net");
    assert.deepEqual(o.NetworkingConfig, { EndpointsConfig: { "ci-1-net": { Aliases: ["cf-proxy"] } } });
    assert.deepEqual(o.HostConfig?.RestartPolicy, { Name: "no" });
    assert.equal(o.HostConfig?.LogConfig?.Type, "json-file");
  });

  test("no healthcheck input: none sent (the image's own applies)", () => {
    assert.equal(containerCreateOptions({ ...inputs, healthcheck: undefined }).Healthcheck, undefined);
  });
});

test("ports output: the host ports Docker published, as the provider flattens them", () => {
  assert.deepEqual(
    flattenPorts({
      "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "49157" }],
      "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "49153" }],
      "6379/tcp": null,
    }),
    [
      { internal: 5432, external: 49153, ip: "127.0.0.1", protocol: "tcp" },
      { internal: 8080, external: 49157, ip: "127.0.0.1", protocol: "tcp" },
    ],
  );
});

describe("uploads", () => {
  test("a tar holding the file at its absolute path, 0644 (0744 when executable)", async () => {
    const tar = await uploadTar({ file: "/etc/nginx/nginx.conf", content: "events {}\n" });
    const listed = spawnSync("tar", ["-tvf", "-"], { input: tar, encoding: "utf8" });
    assert.match(listed.stdout, /^-rw-r--r-- .* etc\/nginx\/nginx\.conf$/m);
    const body = spawnSync("tar", ["-xOf", "-", "etc/nginx/nginx.conf"], { input: tar, encoding: "utf8" });
    assert.equal(body.stdout, "events {}\n");
    const exec = await uploadTar({
      file: "/x.sh",
      contentBase64: Buffer.from("echo").toString("base64"),
      executable: true,
    });
    assert.match(spawnSync("tar", ["-tvf", "-"], { input: exec, encoding: "utf8" }).stdout, /^-rwxr--r-- /);
  });
  test("exactly one content source", async () => {
    await assert.rejects(async () => uploadTar({ file: "/a" }), /exactly one of content/);
    await assert.rejects(
      async () => uploadTar({ file: "/a", content: "x", contentBase64: "eA==" }),
      /exactly one/,
    );
  });
});

test("container logs: Docker's multiplexed frames are joined; raw (TTY) text is kept", () => {
  const frame = (stream: number, text: string) => {
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(Buffer.byteLength(text), 4);
    return Buffer.concat([header, Buffer.from(text)]);
  };
  assert.equal(demuxDockerStream(Buffer.concat([frame(1, "out\n"), frame(2, "err\n")])), "out\nerr\n");
  assert.equal(demuxDockerStream(Buffer.from("plain text\n")), "plain text\n");
});
