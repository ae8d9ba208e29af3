/**
 * `npm run base-images -- --engine <file>`: puts the local base-image stand-ins (every
 * `harness-local/*` image labelled `harness.base=local` here: scripts/base-images.sh builds them)
 * on another engine that lacks them, by `docker save | docker load` (program/lib/docker-api/transfer.ts): a
 * fresh remote engine pulls nothing where no registry is reachable. `<file>` (YAML or JSON) holds an engine as
 * `harness:engine` does (`{host, tls: {certPath}}`: certificates as files, never as text in a plain
 * file), or a pool file (`{engines: [...]}`, scripts/one-shot/pool.ts), for every engine in it.
 * Images the engine already holds (same image id) are not sent again.
 */
import { engineName } from "../program/contracts/engine";
import { dockerClient } from "../program/lib/docker-api/client";
import { copyImages } from "../program/lib/docker-api/transfer";
import { readEngineFile } from "./one-shot/pool";

const log = (line: string) => process.stderr.write(`[base-images] ${line}\n`);

async function main(argv: string[]): Promise<number> {
  if (argv.length !== 2 || argv[0] !== "--engine") {
    log("usage: npm run base-images -- --engine <engine or pool file (YAML/JSON)>");
    return 2;
  }
  const read = readEngineFile(argv[1]);
  if (typeof read === "string") {
    log(`✗ ${read}`);
    return 2;
  }
  const local = dockerClient();
  // By tag and label: an image built FROM a stand-in inherits its label.
  const standIns = (
    await local.listImages({ filters: { label: ["harness.base=local"], reference: ["harness-local/*"] } })
  )
    .flatMap((i) => i.RepoTags ?? [])
    .filter((tag) => tag.startsWith("harness-local/"))
    .sort();
  if (standIns.length === 0) {
    log("✗ this machine's engine has no local stand-ins: build them first with `npm run base-images`");
    return 2;
  }
  let failed = 0;
  for (const engine of read) {
    const remote = dockerClient(engine);
    try {
      const started = Date.now();
      const copied = await copyImages(local, remote, standIns);
      log(
        `${engine.name}: ${copied.length === 0 ? `has every stand-in (${standIns.join(", ")})` : `loaded ${copied.join(", ")}`} in ${Date.now() - started} ms`,
      );
    } catch (error) {
      failed++;
      log(`✗ ${engine.name} (${engineName(engine)}): ${(error as Error).message}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`internal error: ${(error as Error).stack ?? String(error)}`);
    process.exit(2);
  },
);
