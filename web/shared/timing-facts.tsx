import { promiseText, readyText, type ReadyChange } from './format';

/** The ready time and the promise as `<dt>`/`<dd>` pairs of a card's facts; nothing for what is not known. */
export function TimingFacts(props: { readyAt: string | null; promisedAt: string | null; readyChange: ReadyChange; now: number }) {
  const ready = readyText(props.readyAt, props.readyChange, props.now);
  const promise = promiseText(props.promisedAt);
  return (
    <>
      {ready && (
        <>
          <dt>조리</dt>
          <dd aria-label="조리 완료 시각" className={props.readyChange === 'delayed' ? 'late' : undefined}>
            {ready}
          </dd>
        </>
      )}
      {promise && (
        <>
          <dt>약속</dt>
          <dd aria-label="도착 약속 시각">{promise}</dd>
        </>
      )}
    </>
  );
}
