/** What a rider's app says of itself in the handshake's `auth`, beside its token (docs/rider-protocol.md). */
export interface ClientOptions {
  /** The app sends `offer:seen` for every offer it shows, so an offer it never acknowledged did not arrive. */
  acknowledgesOffers: boolean;
  /**
   * The app keeps the stream's numbers: `{ epoch, seq }` of the last event it saw, or null when it has none yet;
   * undefined when the app does not resume (a v1 app), which is sent no `resume` event.
   */
  resume?: { epoch: string; seq: number } | null;
}

/**
 * Reads the handshake's optional fields. A handshake is never refused for them: a `resume` that does not fit is
 * taken as null (the app rebuilds from the snapshot, which is always right), anything else as absent.
 */
export function readClientOptions(auth: unknown): ClientOptions {
  const fields = auth !== null && typeof auth === 'object' ? (auth as Record<string, unknown>) : {};
  const options: ClientOptions = { acknowledgesOffers: fields.acknowledgesOffers === true };
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
