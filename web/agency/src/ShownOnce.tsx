/** A secret the server shows only once (an invite token, a rider's app token), to be handed to its person now. */
export function ShownOnce({ label, what, secret }: { label: string; what: string; secret: string }) {
  return (
    <div role="status" aria-label={label}>
      <p>{what} (한 번만 표시됩니다):</p>
      <p className="secret">{secret}</p>
    </div>
  );
}
