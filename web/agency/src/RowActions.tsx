/** A managed row's hands (owners): save what was changed in place, and disable or enable it again. */
export function RowActions({ changed, disabled, onSave, onToggle }: { changed: boolean; disabled: boolean; onSave: () => void; onToggle: () => void }) {
  return (
    <td className="actions">
      <button type="button" disabled={!changed} onClick={onSave}>
        저장
      </button>
      <button type="button" className={disabled ? undefined : 'danger'} onClick={onToggle}>
        {disabled ? '다시 사용' : '사용 중지'}
      </button>
    </td>
  );
}
