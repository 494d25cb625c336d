/** What a rider's app says of itself in the handshake's `auth`, beside its token (docs/rider-protocol.md). */
export interface ClientOptions {
  /** The app sends `offer:seen` for every offer it shows, so an offer it never acknowledged did not arrive. */
  acknowledgesOffers: boolean;
  /**
   * The app keeps the stream's numbers: `{ epoch, seq }` of the last event it saw, or null when it has none yet;
   * undefined when the app does not resume (a v1 app), which is sent no `resume` event.
   */
  resume?: { epoch: string; seq: number } | null;
  /**
   * The deliveries the app shows as the rider's jobs (ids, at most HELD_JOBS_MAX): when it must rebuild, those no
   * longer the rider's are explained in `resume` (cancelled, taken back, moved to another rider, failed...).
   */
  held: string[];
}

/** Held jobs a handshake may name; a rider carries a few. */
export const HELD_JOBS_MAX = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads the handshake's optional fields. A handshake is never refused for them: a `resume` that does not fit is
 * taken as null (the app rebuilds from the snapshot, which is always right), `held` entries that are not ids are
 * left out, anything else is taken as absent.
 */
export function readClientOptions(auth: unknown): ClientOptions {
  const fields = auth !== null && typeof auth === 'object' ? (auth as Record<string, unknown>) : {};
  const held = Array.isArray(fields.held) ? fields.held.filter((id): id is string => typeof id === 'string' && UUID.test(id)).slice(0, HELD_JOBS_MAX) : [];
  const options: ClientOptions = { acknowledgesOffers: fields.acknowledgesOffers === true, held: [...new Set(held.map((id) => id.toLowerCase()))] };
  if (!('resume' in fields)) return options;
  const resume = fields.resume as { epoch?: unknown; seq?: unknown } | null;
  const fits =
    resume !== null &&
    typeof resume === 'object' &&
    typeof resume.epoch === 'string' &&
    resume.epoch.length <= 64 &&
    typeof resume.seq === 'number' &&
    Number.isSafeInteger(resume.seq) &&
    resume.seq >= 0;
  options.resume = fits ? { epoch: resume.epoch as string, seq: resume.seq as number } : null;
  return options;
}
