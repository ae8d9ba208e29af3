/**
 * `npm run harness` preflight: everything the main job needs, checked before anything starts, each
 * problem with exactly what to do. All problems are reported at once.
 */
import { createServer } from "node:net";

export interface Problem {
  what: string;
  fix: string;
}

/**
 * Oldest Pulumi CLI the project works with: 3.121.0 added the Node.js `packagemanager` runtime
 * option that Pulumi.yaml sets (pulumi/pulumi#16417); the file backend (`backend.url`) and stack
 * config it also uses are older.
 */
export const MIN_PULUMI = "3.121.0";
/** package.json `engines` (undici 7 needs 20.18). */
export const MIN_NODE = "20.18.0";

export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function atLeast(version: [number, number, number], minimum: string): boolean {
  const min = parseVersion(minimum)!;
  for (let i = 0; i < 3; i++) if (version[i] !== min[i]) return version[i] > min[i];
  return true;
}

export function checkNode(version: string): Problem | undefined {
  const v = parseVersion(version);
  if (v && atLeast(v, MIN_NODE)) return undefined;
  return {
    what: `Node.js ${version} is too old (the harness needs ≥ ${MIN_NODE})`,
    fix: "install Node.js 20 LTS or newer (https://nodejs.org, or `nvm install 20`), then `npm ci`",
  };
}

/**
 * The CLI the harness found (undefined: none on PATH, in the toolchain, or installed). `go`: whether
 * Go is installed (then the toolchain is an option). `installError`: why installing the official CLI
 * failed, when it was tried.
 */
export function checkPulumi(
  cli: { version: string; source: string } | undefined,
  go: boolean,
  installError?: string,
): Problem | undefined {
  const official =
    "install the official CLI (https://www.pulumi.com/docs/install/: `curl -fsSL https://get.pulumi.com | sh`)";
  const toolchain =
    "build it from its Go modules: `npm run pulumi:toolchain` (Go ≥ 1.26; about 10 minutes the first time)";
  if (cli === undefined) {
    return {
      what:
        "no Pulumi CLI: `pulumi` is not on PATH and no toolchain was built for this checkout" +
        (installError ? ` (installing the official CLI failed: ${installError})` : ""),
      fix: go ? `${toolchain}, or ${official}` : `${official}, or install Go ≥ 1.26 and ${toolchain}`,
    };
  }
  const v = parseVersion(cli.version);
  const where = `(${cli.source})`;
  if (!v)
    return { what: `\`pulumi version\` ${where} printed "${cli.version}", not a version`, fix: official };
  if (v[0] !== 3 || !atLeast(v, MIN_PULUMI)) {
    return {
      what: `Pulumi CLI ${cli.version} ${where} is not supported (the harness needs 3.x, ≥ ${MIN_PULUMI})`,
      fix:
        v[0] > 3
          ? "install a 3.x CLI (https://www.pulumi.com/docs/install/versions/)"
          : `upgrade it (\`pulumi self-update\`), or ${toolchain}`,
    };
  }
  return undefined;
}

/** Whether `port` on `host` can be bound right now. */
export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export function edgePortProblem(port: number, host: string, stack: string): Problem {
  return {
    what: `the edge port ${host}:${port} (harness:edge.port of stack ${stack}) is already in use`,
    fix:
      `free it (see who holds it: \`ss -ltnp 'sport = :${port}'\`), or pick another port: ` +
      `\`pulumi config set --path harness:edge.port ${port === 8080 ? 8081 : port + 1} --stack ${stack}\` (0 = any free port)`,
  };
}
