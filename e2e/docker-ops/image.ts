/**
 * docker.Image (a locally built image, skipPush): pack the context as the provider does (.dockerignore,
 * Dockerfile always sent), `docker build` with the build args and target, tag `imageName`. Outputs as
 * the provider's for a local image: `repoDigest` is the local image id, the resource id is
 * `imageName`. Delete does nothing, as the provider's: it never removes what it built (the program's
 * companion cleanup Command does).
 *
 * Deviation: only the classic builder (BuilderV1) — a BuildKit build needs a gRPC session the
 * driver does not implement; the e2e stack config selects BuilderV1 (dockerd 20.10 here has no
 * buildx anyway). Intermediate containers are always removed (rm/forcerm), so an interrupted build
 * leaves none on a shared engine.
 */
import type Docker from "dockerode";
import { assertInputsEmulated, type Created, type OpContext } from "./context";
import { packBuildContext, planBuildContext } from "./build-context";

interface ImageBuildInputs {
  context?: string;
  dockerfile?: string;
  args?: Record<string, string>;
  builderVersion?: string;
  target?: string;
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

const BUILD_KEYS = ["context", "dockerfile", "args", "builderVersion", "target"] as const;

export async function createImage(inputs: Record<string, unknown>, ctx: OpContext): Promise<Created> {
  assertInputsEmulated(ctx, inputs, ["imageName", "skipPush", "buildOnPreview", "build"]);
  const imageName = String(inputs.imageName);
  if (inputs.skipPush !== true) throw new Error(`${ctx.name}: pushing images is not emulated (set skipPush)`);
  const build = (inputs.build ?? {}) as ImageBuildInputs;
  assertInputsEmulated({ type: ctx.type, name: `${ctx.name}.build` }, build, BUILD_KEYS);
  const builder = build.builderVersion ?? "BuilderBuildKit";
  if (builder !== "BuilderV1") {
    throw new Error(
      `${ctx.name}: the e2e driver builds with the classic builder only (builderVersion ${builder}); ` +
        "set harness:imageBuilder: BuilderV1 in the stack config (Pulumi.e2e.yaml does)",
    );
  }
  const contextDir = build.context ?? ".";
  const plan = planBuildContext(contextDir, build.dockerfile ?? `${contextDir}/Dockerfile`);

  // In the ledger before anything exists: the destroy knows the stack built it, even if interrupted.
  ctx.ledger.add({ kind: "image", type: ctx.type, name: ctx.name, imageName });
  ctx.log.info(`building ${imageName} (${ctx.name}, ${plan.entries.length} context entries)`);
  await ctx.cancel.run(() => runBuild(ctx, imageName, contextDir, plan, build));
  const image = await ctx.docker.getImage(imageName).inspect();
  ctx.timings.mark("image-built", ctx.name);
  ctx.log.info(`built ${imageName} → ${image.Id.slice(0, 19)} (${(image.Size / 1e6).toFixed(0)} MB)`);
  return {
    id: imageName,
    state: {
      ...inputs,
      imageName,
      repoDigest: image.Id,
      baseImageName: imageName,
      registryServer: "",
      dockerfile: plan.dockerfile,
      context: contextDir,
    },
  };
}

async function runBuild(
  ctx: OpContext,
  imageName: string,
  contextDir: string,
  plan: ReturnType<typeof planBuildContext>,
  build: ImageBuildInputs,
): Promise<string[]> {
  const tar = packBuildContext(contextDir, plan);
  const options: Docker.ImageBuildOptions & { abortSignal: AbortSignal; forcerm: boolean } = {
    t: imageName,
    dockerfile: plan.dockerfile,
    buildargs: build.args ?? {},
    version: "1",
    rm: true,
    forcerm: true,
    abortSignal: ctx.cancel.signal,
    ...(build.target ? { target: build.target } : {}),
  };
  const stream = await ctx.docker.buildImage(tar, options);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    ctx.docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        if (ctx.cancel.cancelled) return reject(ctx.cancel.signal.reason as Error);
        const failure = error?.message ?? lines.find((l) => l.startsWith("ERROR: "));
        if (failure) {
          return reject(
            new Error(
              `${ctx.name}: docker build of ${imageName} failed: ${failure}\n${lines.slice(-30).join("\n")}`,
            ),
          );
        }
        resolve(lines);
      },
      (event: BuildEvent) => {
        const error = event.errorDetail?.message ?? event.error;
        if (error) {
          lines.push(`ERROR: ${error}`);
          ctx.log.child(ctx.name, `ERROR: ${error}`);
          return;
        }
        for (const line of (event.stream ?? "").split("\n")) {
          if (line.trim() === "") continue;
          lines.push(line);
          if (line.startsWith("Step ")) ctx.log.child(ctx.name, line);
        }
      },
    );
  });
}
