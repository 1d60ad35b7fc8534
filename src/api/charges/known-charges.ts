/**
 * The event_ids this gateway has seen exist in Temporal (it started them, or read them back), most
 * recent last, bounded. It only chooses which call to make first: a repeat of a known id is answered
 * with one describe instead of a start that Temporal refuses and then a describe. Temporal stays the
 * only judge of whether an id exists; a forgotten or never-seen id takes the start path as before.
 */
export class KnownCharges {
  // A Map keeps insertion order: the first key is the least recently seen.
  private readonly ids = new Map<string, true>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError('capacity must be an integer >= 0');
  }

  has(eventId: string): boolean {
    return this.ids.has(eventId);
  }

  remember(eventId: string): void {
    if (this.capacity === 0) return;
    this.ids.delete(eventId);
    this.ids.set(eventId, true);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.keys().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }

  /** The id's workflow is gone (retention): the next request must ask Temporal to start it. */
  forget(eventId: string): void {
    this.ids.delete(eventId);
  }
}

/**
 * At 100 charges/s this covers the last few minutes, when a dispatcher's retries come; an event_id
 * is at most 200 characters, so this holds under 10 MB (about 2 MB with typical ids).
 */
export const KNOWN_CHARGES_CAPACITY = 20_000;
