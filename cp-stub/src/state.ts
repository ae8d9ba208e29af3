/**
 * Everything one stub instance remembers: the anchor's counters, the request journal and the
 * overrides. One object per server (tests run many servers in one process), reset as a whole.
 */
import type { CpStubState } from "./api";
import { Journal, type JournalOptions } from "./journal";
import { OverrideStore } from "./overrides";

/** How often each counted built-in handler ran (the Go stub's process-global atomics). */
export class Counters {
  redeployFleetCalls = 0;
  provisionCalls = 0;
  tenantsConfigCalls = 0;

  /** The `/__stub/state` body, keys in the Go stub's order. */
  snapshot(): CpStubState {
    return {
      redeploy_fleet_calls: this.redeployFleetCalls,
      provision_calls: this.provisionCalls,
      tenants_config_calls: this.tenantsConfigCalls,
    };
  }

  reset(): void {
    this.redeployFleetCalls = 0;
    this.provisionCalls = 0;
    this.tenantsConfigCalls = 0;
  }
}

export class StubState {
  readonly counters = new Counters();
  readonly journal: Journal;
  readonly overrides = new OverrideStore();

  constructor(journal: JournalOptions) {
    this.journal = new Journal(journal);
  }

  /** `POST /__stub/reset`: counters to zero, journal and overrides emptied (ids keep counting). */
  reset(): void {
    this.counters.reset();
    this.journal.clear();
    this.overrides.clear();
  }
}
