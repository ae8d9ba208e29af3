/**
 * Container logs for error messages: Docker multiplexes stdout/stderr of a non-TTY container into
 * frames (8-byte header: stream type, 3 zero bytes, big-endian payload length).
 */
import type Docker from "dockerode";

export function demuxDockerStream(buffer: Buffer): string {
  // A TTY container's logs are raw text; frames always start with 0, 1 or 2 followed by three zeros.
  const framed = (b: Buffer) => b.length >= 8 && b[0] <= 2 && b[1] === 0 && b[2] === 0 && b[3] === 0;
  if (!framed(buffer)) return buffer.toString("utf8");
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** The last `lines` lines a container printed (both streams), or a note saying why there are none. */
export async function tailLogs(container: Docker.Container, lines = 40): Promise<string> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown;
    const text = Buffer.isBuffer(raw) ? demuxDockerStream(raw) : String(raw);
    return text.trimEnd() || "(no output)";
  } catch (error) {
    return `(logs unavailable: ${(error as Error).message})`;
  }
}

/** Indents a block for an error message. */
export function indent(text: string, prefix = "    "): string {
  return text
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}
