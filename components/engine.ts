/**
 * The Docker engine the stack runs on: ONE explicit docker provider that every docker resource of
 * the program is created with (so `host` and the TLS material reach the bridged Container and
 * RemoteImage, build included, whatever the environment says), and the same settings for the
 * program's own calls — the health gate's API client (`access`) and the `docker` CLI in Commands
 * (`cli`). Without `harness:engine` the provider gets no setting and behaves as the default
 * provider did: DOCKER_HOST, else the local socket.
 *
 * The bridged provider uses TLS only when a cert path or cert material is set, and ignores
 * DOCKER_TLS_VERIFY: hence `certPath` or the three `*Material`s, always both halves of mutual TLS
 * (program/config/engine.ts refuses a tcp:// host without them). The material is secret in state.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { isTcpEngine, type EngineAccess } from "../program/contracts/engine";
import type { EngineConfig } from "../program/config/engine";
import { dockerCli, type DockerCli } from "../program/lib/engine";
import { HarnessComponent } from "./component";

export interface Engine {
  /** The `docker` provider every docker resource of the stack names (`provider:`). */
  provider: docker.Provider;
  /** For API clients (program/contracts/engine.ts `dockerOptions`); the runner gets it in HARNESS_TARGET. */
  access: EngineAccess;
  cli: DockerCli;
  /** A tcp:// engine: its published ports cannot be probed from this machine (components/host-port.ts). */
  remote: boolean;
  /** The engine's address published ports bind on (`harness:engine.publishAddress`). */
  publishAddress: string;
}

/** The provider's inputs for an engine (pure): only what is configured. */
export function providerArgs(access: EngineAccess): docker.ProviderArgs {
  return {
    ...(access.host ? { host: access.host } : {}),
    ...(access.certPath ? { certPath: access.certPath } : {}),
    ...(access.ca && access.cert && access.key
      ? {
          caMaterial: pulumi.secret(access.ca),
          certMaterial: pulumi.secret(access.cert),
          keyMaterial: pulumi.secret(access.key),
        }
      : {}),
  };
}

/** A Command's `environment` input for the engine's CLI settings (secret when it carries key material). */
export function commandEnvironment(cli: DockerCli): { environment?: pulumi.Input<Record<string, string>> } {
  if (!cli.environment) return {};
  return { environment: cli.secret ? pulumi.secret(cli.environment) : cli.environment };
}

/** The engine as a component (`harness:index:Engine`) holding its provider (`<name>-provider`). */
export class DockerEngine extends HarnessComponent implements Engine {
  public readonly provider: docker.Provider;
  public readonly access: EngineAccess = {};
  public readonly cli: DockerCli;
  public readonly remote: boolean;
  public readonly publishAddress: string;

  constructor(name: string, config: EngineConfig, opts?: pulumi.ComponentResourceOptions) {
    super("Engine", name, opts);
    for (const key of ["host", "certPath", "ca", "cert", "key"] as const) {
      if (config[key] !== undefined) this.access[key] = config[key];
    }
    this.provider = new docker.Provider(this.child("provider"), providerArgs(this.access), this.childOpts());
    this.cli = dockerCli(this.access);
    this.remote = isTcpEngine(this.access);
    this.publishAddress = config.publishAddress;
    this.done();
  }
}
