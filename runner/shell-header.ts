/**
 * What a shell replay declares about itself, read from the comment block at its top (no need to
 * run it): `# replay-xfail: <reason>`, `# replay-closes: #2397`, `# replay-proves: <text>`,
 * `# replay-timeout: <seconds>`. Without `replay-closes`, a "closes #NNNN" phrase in the header is used.
 */
import { closeSync, openSync, readSync } from "node:fs";

export interface ShellDeclaration {
  closes: string | null;
  proves?: string;
  xfail?: string;
  timeoutSeconds?: number;
}

const HEADER_BYTES = 64 * 1024;

/** The leading comment lines (after an optional shebang), without their `#`. */
export function headerComments(source: string): string[] {
  const lines = source.split("\n");
  const comments: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#!")) continue;
    if (!line.startsWith("#")) break;
    comments.push(line.replace(/^#+\s?/, ""));
  }
  return comments;
}

export function parseShellHeader(source: string): ShellDeclaration {
  const comments = headerComments(source);
  const declaration: ShellDeclaration = { closes: null };
  let looseCloses: string | null = null;
  let explicitCloses = false;
  for (const comment of comments) {
    const key = /^replay-(xfail|closes|proves|timeout)\s*:\s*(.*)$/i.exec(comment.trim());
    if (key) {
      const value = key[2].trim();
      switch (key[1].toLowerCase()) {
        case "xfail":
          declaration.xfail = value || "declared expected failure";
          break;
        case "closes":
          declaration.closes = value === "" || value === "null" ? null : value;
          explicitCloses = true;
          break;
        case "proves":
          if (value) declaration.proves = value;
          break;
        case "timeout": {
          const seconds = Number(value);
          if (Number.isFinite(seconds) && seconds > 0) declaration.timeoutSeconds = seconds;
          break;
        }
      }
      continue;
    }
    looseCloses ??= /\bcloses\s+(#\d+)/i.exec(comment)?.[1] ?? null;
  }
  if (!explicitCloses) declaration.closes = looseCloses;
  return declaration;
}

export function readShellHeader(file: string): ShellDeclaration {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const read = readSync(fd, buffer, 0, HEADER_BYTES, 0);
    return parseShellHeader(buffer.subarray(0, read).toString("utf8"));
  } finally {
    closeSync(fd);
  }
}
