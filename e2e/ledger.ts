/**
 * The driver's "state file": every Docker object and Command the e2e `up` created, in creation order,
 * with what destroying it takes. Written after every change (mode 0600: Command environments may carry
 * secrets), so an interrupted or crashed run — or `npm run e2e:down` in another process — can still
 * tear the stack down in reverse order, as `pulumi destroy` would from Pulumi's state.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

interface StepBase {
  /** Pulumi type token and resource name, for messages. */
  type: string;
  name: string;
}

export interface ContainerStep extends StepBase {
  kind: "container";
  id: string;
  containerName: string;
  /** Stop with this timeout before removing (0 = remove with force straight away). */
  graceSeconds: number;
  removeVolumes: boolean;
  /** Started with AutoRemove: the provider does nothing on delete. */
  autoRemove: boolean;
  /** Anonymous/named volumes mounted at create: checked after the destroy. */
  volumes: string[];
}

export interface NetworkStep extends StepBase {
  kind: "network";
  id: string;
  networkName: string;
}

/** docker.Image: the provider never deletes what it built (the program's cleanup Command does). */
export interface ImageStep extends StepBase {
  kind: "image";
  imageName: string;
}

export interface RemoteImageStep extends StepBase {
  kind: "remote-image";
  imageName: string;
  imageId: string;
  keepLocally: boolean;
  forceRemove: boolean;
}

export interface CommandStep extends StepBase {
  kind: "command";
  /** The `delete` command; absent = nothing to run. */
  delete?: string;
  dir?: string;
  interpreter?: string[];
  /** Only kept when there is a delete command to run with it. */
  environment: Record<string, string>;
  stdin?: string;
  addPreviousOutputInEnv: boolean;
  /** Previous outputs, only kept when the delete command receives them. */
  stdout: string;
  stderr: string;
  logging: string;
}

export type LedgerStep = ContainerStep | NetworkStep | ImageStep | RemoteImageStep | CommandStep;

export interface LedgerFile {
  version: 1;
  project: string;
  stack: string;
  stackLabel: string;
  createdAt: string;
  /** The outputs file a kept-up run wrote (secrets in clear): removed with the stack. */
  outputsPath?: string;
  steps: LedgerStep[];
}

export function ledgerPath(repoRoot: string, stack: string): string {
  return join(repoRoot, ".harness", "e2e", `${stack}.state.json`);
}

export class Ledger {
  private constructor(
    readonly path: string | undefined,
    private readonly file: LedgerFile,
  ) {}

  /** A ledger persisted at `path`: the existing one, or a new empty one (written on first change). */
  static open(path: string | undefined, stack: { project: string; stack: string }): Ledger {
    if (path !== undefined && existsSync(path)) {
      const file = JSON.parse(readFileSync(path, "utf8")) as LedgerFile;
      if (file.version !== 1 || file.stack !== stack.stack)
        throw new Error(`${path} is not a ledger of stack ${stack.stack}`);
      return new Ledger(path, file);
    }
    return new Ledger(path, {
      version: 1,
      project: stack.project,
      stack: stack.stack,
      stackLabel: `${stack.project}/${stack.stack}`,
      createdAt: new Date().toISOString(),
      steps: [],
    });
  }

  get stack(): string {
    return this.file.stack;
  }

  get stackLabel(): string {
    return this.file.stackLabel;
  }

  get steps(): readonly LedgerStep[] {
    return this.file.steps;
  }

  get outputsPath(): string | undefined {
    return this.file.outputsPath;
  }

  set outputsPath(path: string | undefined) {
    this.file.outputsPath = path;
    this.save();
  }

  get empty(): boolean {
    return this.file.steps.length === 0;
  }

  add(step: LedgerStep): void {
    this.file.steps.push(step);
    this.save();
  }

  remove(step: LedgerStep): void {
    const index = this.file.steps.indexOf(step);
    if (index >= 0) this.file.steps.splice(index, 1);
    this.save();
  }

  /** Destroy order: the reverse of creation (dependents were created after what they depend on). */
  destroyOrder(): LedgerStep[] {
    return [...this.file.steps].reverse();
  }

  /** Writes the file (atomically, 0600), or removes it once nothing is left to destroy. */
  save(): void {
    if (this.path === undefined) return;
    if (this.file.steps.length === 0) {
      rmSync(this.path, { force: true });
      return;
    }
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.file, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
