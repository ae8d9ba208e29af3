import { createServer } from "node:net";
import { ExitedBeforeReadyError } from "./process";

// The kernel may hand a just-released port out again; a port this process already gave away is
// skipped, so two servers started side by side never get the same one.
const handedOut = new Set<number>();

/** Asks the kernel for a free TCP port on 127.0.0.1 (bind to 0, read it back, release it). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await kernelPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("the kernel kept returning ports this process already uses");
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the port the kernel assigned"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

const PORT_ATTEMPTS = 3;

/**
 * Starts a server on `fixedPort`, or on a free port. A free port is only free until the server binds
 * it (another process may take it in between), so when the server dies with "Address already in
 * use" it is started again on a new one. A fixed port is the caller's choice and is never swapped.
 */
export async function onFreePort<T>(
  fixedPort: number | undefined,
  start: (port: number) => Promise<T>,
): Promise<T> {
  if (fixedPort !== undefined) return start(fixedPort);
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      const retry = error instanceof ExitedBeforeReadyError && error.portInUse && attempt < PORT_ATTEMPTS;
      if (!retry) throw error;
    }
  }
}
