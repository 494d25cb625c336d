/** A confirmation's two buttons: the step (red), and 돌아가기, focused so that Enter does not take the step. */
export function ConfirmActions({ label, busy, onConfirm, onCancel }: { label: string; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  return (
    <div className="actions">
      <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
        {label}
      </button>
      <button type="button" disabled={busy} onClick={onCancel} autoFocus>
        돌아가기
      </button>
    </div>
  );
}
