/** What a run found wrong, by kind; every one fails the run. Details are capped, counts are not. */
export interface Violation {
  readonly kind: string;
  readonly detail: string;
  readonly eventId?: string;
}

const DETAILS_PER_KIND = 20;

export class Violations {
  private readonly counts = new Map<string, number>();
  private readonly kept: Violation[] = [];

  add(kind: string, detail: string, eventId?: string): void {
    const count = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, count);
    if (count <= DETAILS_PER_KIND) this.kept.push({ kind, detail, ...(eventId ? { eventId } : {}) });
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  byKind(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  examples(): readonly Violation[] {
    return this.kept;
  }
}
