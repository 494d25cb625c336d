import { useState } from 'react';

/** A secret the server shows only once (an invite token, a rider's app token, a restaurant's keys), to be handed to its person now. */
export function ShownOnce({ label, what, secret, hint }: { label: string; what: string; secret: string; hint?: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  // The clipboard needs a secure origin and the page's permission; when refused, selecting the text still works.
  const copy = () => navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => setCopied(false)) ?? setCopied(false);
  return (
    <div role="status" aria-label={label}>
      <p>{what} (한 번만 표시됩니다):</p>
      <p className="secret">{secret}</p>
      <button type="button" onClick={() => void copy()}>
        복사
      </button>{' '}
      {copied !== null && <span className="muted">{copied ? '복사했습니다' : '복사할 수 없습니다: 선택 후 Ctrl+C'}</span>}
      {hint && <p className="muted">{hint}</p>}
    </div>
  );
}
