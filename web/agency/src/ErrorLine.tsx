/** A refusal or failure shown where it happened, announced to screen readers; nothing when there is none. */
export function ErrorLine({ text }: { text: string | null }) {
  return text ? (
    <p className="error" role="alert">
      {text}
    </p>
  ) : null;
}
