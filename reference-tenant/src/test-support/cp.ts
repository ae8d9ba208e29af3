/**
 * The real cp-stub (merged from the cp-stub branch), started in-process on a loopback port, with
 * its typed admin client: the journal of what the tenant sent, and overrides to make the CP fail.
 */
import {
  CpStubClient,
  type JournalEntry,
  type JournalFilter,
  type OverrideInput,
} from "../../../cp-stub/client";
import { buildCpStub } from "../../../cp-stub/src/app";

export interface Cp {
  url: string;
  client: CpStubClient;
  journal(filter?: JournalFilter): Promise<JournalEntry[]>;
  override(route: OverrideInput): Promise<void>;
  close(): Promise<void>;
}

export async function startCp(): Promise<Cp> {
  const stub = buildCpStub();
  const { url } = await stub.listen(0, "127.0.0.1");
  const client = new CpStubClient(url);
  return {
    url,
    client,
    journal: (filter = {}) => client.requests(filter),
    override: async (route) => {
      await client.addRoute(route);
    },
    close: () => stub.close(1000),
  };
}
