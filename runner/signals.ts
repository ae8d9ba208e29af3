/** Thrown by ctx.skip / ctx.xfail; the replay host turns them into the anchor's markers and exit 0. */
export class ReplaySkip extends Error {
  constructor(readonly reason: string) {
    super(`skip: ${reason}`);
    this.name = "ReplaySkip";
  }
}

export class ReplayXfail extends Error {
  constructor(readonly reason: string) {
    super(`xfail: ${reason}`);
    this.name = "ReplayXfail";
  }
}
