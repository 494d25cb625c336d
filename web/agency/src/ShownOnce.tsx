/** A secret the server shows only once (an invite token, a rider's app token, a restaurant's keys), to be handed to its person now. */
export function ShownOnce({ label, what, secret, hint }: { label: string; what: string; secret: string; hint?: string }) {
  return (
    <div role="status" aria-label={label}>
      <p>{what} (한 번만 표시됩니다):</p>
      <p className="secret">{secret}</p>
      {hint && <p className="muted">{hint}</p>}
    </div>
  );
}
