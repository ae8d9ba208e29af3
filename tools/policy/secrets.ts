/**
 * Which inputs of a resource are secret, for the policy `harness-secrets-in-secret-inputs`.
 *
 * @pulumi/policy unwraps secrets before a policy sees the properties (`args.props` holds plain
 * values), so the pack records the secret paths itself: `installSecretRecorder` wraps the SDK's
 * `deserializeProperties` (the one function every Analyze/AnalyzeStack request goes through) and
 * remembers, for each deserialized object, the paths the engine marked secret; `secretPathsOf(props)`
 * reads them back. The SDK's internals are reached in this one file; `installSecretRecorder` says
 * false when they are not what this file expects, and the policy then reports itself not applicable
 * instead of guessing.
 */

/** The engine's secret marker in serialized properties (sdk/nodejs/runtime/rpc.ts). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Dotted paths (`envs`, `environment.HARNESS_TARGET`, `ports[0].ip`) of the secret values in raw serialized properties. */
export function secretPaths(raw: unknown, path = ""): string[] {
  if (Array.isArray(raw)) return raw.flatMap((v, i) => secretPaths(v, `${path}[${i}]`));
  if (typeof raw !== "object" || raw === null) return [];
  const obj = raw as Record<string, unknown>;
  if (obj[SIG_KEY] === SECRET_SIG) return [path];
  return Object.entries(obj).flatMap(([k, v]) => secretPaths(v, path ? `${path}.${k}` : k));
}

interface DeserializeModule {
  deserializeProperties: (struct: { toJavaScript(): unknown }, proxySecrets: boolean) => object;
}

const recorded = new WeakMap<object, string[]>();
let installed = false;

/** Wraps the SDK's deserializer (once); false when it is not there to wrap. */
export function installSecretRecorder(mod?: DeserializeModule): boolean {
  if (installed && mod === undefined) return true;
  let target = mod;
  if (target === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      target = require("@pulumi/policy/deserialize") as DeserializeModule;
    } catch {
      return false;
    }
  }
  const original = target.deserializeProperties;
  if (typeof original !== "function") return false;
  target.deserializeProperties = (struct, proxySecrets) => {
    const out = original(struct, proxySecrets);
    try {
      recorded.set(out, secretPaths(struct.toJavaScript()));
    } catch {
      // not recorded: secretPathsOf says unknown
    }
    return out;
  };
  if (mod === undefined) installed = true;
  return true;
}

/** The secret paths recorded for `props` (args.props, or a PolicyResource's props); undefined = not recorded. */
export function secretPathsOf(props: object): string[] | undefined {
  // @pulumi/policy's proxies hand out their target under this key.
  const target = (props as Record<string, unknown>).__getSpecialProxyTarget;
  return recorded.get(typeof target === "object" && target !== null ? target : props);
}

/** The strings @pulumi/policy puts where a preview does not know a value (never values themselves). */
export function unknownSentinels(): Set<string> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const proxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
    return new Set(
      Object.entries(proxy)
        .filter(([k, v]) => /^unknown[A-Za-z]*Value$/.test(k) && typeof v === "string")
        .map(([, v]) => v as string),
    );
  } catch {
    return new Set();
  }
}
