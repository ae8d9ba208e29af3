/**
 * The anchor's assertion style for replays with many independent checks (tenant-isolation,
 * per-tenant-independence, chat-history): every check runs and is logged, and the replay fails at the
 * end with the FIRST failed check as its message (that line names the bug) plus the count, e.g.
 *   `B1 alpha's credentials at beta …: expected HTTP 404 …, got 200 (2 of 14 checks failed: B1, D1)`.
 */
import type { ReplayContext } from "../../runner/api";

interface Failure {
  label: string;
  message: string;
}

export class Checklist {
  private passed = 0;
  private readonly failures: Failure[] = [];

  constructor(private readonly ctx: Pick<ReplayContext, "log">) {}

  /** Runs one check; an assertion (or any) error marks it failed without stopping the replay. */
  async check(label: string, probe: () => unknown): Promise<boolean> {
    try {
      await probe();
      this.passed += 1;
      this.ctx.log(`✓ ${label}`);
      return true;
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
      this.failures.push({ label, message });
      this.ctx.log(`✗ ${label}: ${message}`);
      return false;
    }
  }

  get total(): number {
    return this.passed + this.failures.length;
  }

  /** Throws if any check failed; otherwise logs `n/n — <summary>`. */
  done(summary: string): void {
    if (this.failures.length === 0) {
      this.ctx.log(`${this.passed}/${this.total} — ${summary}`);
      return;
    }
    const [first] = this.failures;
    // Anchor-style ids ("B1") make a short list; free-form labels are only counted.
    const ids = this.failures.map((f) => f.label.split(" ")[0]);
    const which = ids.every((id) => /^[A-Z]\d+$/.test(id)) ? `: ${ids.join(", ")}` : "";
    throw new Error(
      `${first.label}: ${first.message} (${this.failures.length} of ${this.total} checks failed${which})`,
    );
  }
}
