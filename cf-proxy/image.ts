/**
 * The contract between the cf-proxy image (Dockerfile) and the Pulumi program that runs it: where the
 * rendered config goes, which port nginx listens on, and how Docker tells that nginx is up.
 * `image.test.ts` checks the Dockerfile says the same.
 */
import { EDGE_DEFAULTS, PID_PATH_PATTERN } from "./options";

/** The Pulumi program uploads `renderNginxConf(...)` here at container create (no image rebuild). */
export const EDGE_CONFIG_PATH = "/etc/nginx/nginx.conf";

/** Container port nginx listens on (the default `listen`); `EXPOSE`d by the Dockerfile. */
export const EDGE_CONTAINER_PORT = 8080;

/**
 * Docker healthcheck test for an edge whose config writes its pid to `pidPath`. nginx writes the pid
 * file only after it has bound every listen socket, so "pid file present and that process alive"
 * means "listening". Needs only sh, test, cat and kill: works on any nginx base, no curl or wget.
 * The image's baked placeholder config writes its pid elsewhere, so an edge that never received the
 * rendered config never turns healthy.
 */
export function edgeHealthcheckTest(pidPath: string = EDGE_DEFAULTS.pidPath): string[] {
  // The path is pasted into a shell command: accept only what `pidPath` validation accepts.
  if (!PID_PATH_PATTERN.test(pidPath))
    throw new Error(`pidPath ${JSON.stringify(pidPath)} is not a plain absolute path`);
  return ["CMD-SHELL", `test -s ${pidPath} && kill -0 "$(cat ${pidPath})"`];
}

/** The healthcheck for the default `pidPath`; spread it (`[...EDGE_HEALTHCHECK]`) where a mutable array is needed. */
export const EDGE_HEALTHCHECK: readonly string[] = Object.freeze(edgeHealthcheckTest());
