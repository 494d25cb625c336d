import { useId, useState } from 'react';
import { ApiError, describeError, type AgencyApi } from './api';
import { won } from '../../shared/format';
import { seoulTime } from './format';
import type { FieldError, TariffView } from './types';

/** `YYYY-MM-DDTHH:MM` in Seoul, `hours` from now: what a datetime-local input shows. */
function seoulLocal(hoursFromNow: number): string {
  return new Date(Date.now() + (9 + hoursFromNow) * 3_600_000).toISOString().slice(0, 16);
}

/** Rain or snow mode: a surcharge from now until a given time, as a new tariff version (docs/fees.md). */
export function WeatherSwitch({ api, view, canChange, onChanged }: { api: AgencyApi; view: TariffView; canChange: boolean; onChanged: (view: TariffView) => void }) {
  const current = (view.tariff.surcharges as { weather?: { mode: 'rain' | 'snow'; amount: number; until: string } | null } | undefined)?.weather;
  const active = current && Date.parse(current.until) > Date.now() ? current : null;
  const [mode, setMode] = useState<'rain' | 'snow'>('rain');
  const [amount, setAmount] = useState('1000');
  const [until, setUntil] = useState(() => seoulLocal(3));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = useId();

  const send = async (on: boolean) => {
    setBusy(true);
    setMessage(null);
    setErrors([]);
    try {
      const saved = on
        ? await api.dispatch<TariffView>('PUT', '/tariff/weather', { mode, amount: amount === '' ? null : Number(amount), until: `${until}:00+09:00` })
        : await api.dispatch<TariffView>('DELETE', '/tariff/weather');
      setMessage(on ? `${mode === 'rain' ? '우천' : '강설'} 할증 켜짐 (v${saved.version})` : `날씨 할증 꺼짐 (v${saved.version})`);
      onChanged(saved);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'TARIFF_INVALID') setErrors(e.fieldErrors);
      setMessage(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const problem = (field: string) => errors.filter((e) => e.field === field).map((e) => e.reason).join('; ');

  return (
    <section aria-labelledby="weather-title" className="weather">
      <h2 id="weather-title">날씨 할증</h2>
      <p role="status" aria-label="날씨 할증 상태">
        {active ? `${active.mode === 'rain' ? '우천' : '강설'} 할증 ${won(active.amount)} · ${seoulTime(active.until)}까지` : '날씨 할증 꺼짐'}
      </p>
      <div className="weather-form">
        <label>
          날씨
          <select value={mode} onChange={(e) => setMode(e.target.value as 'rain' | 'snow')} aria-invalid={problem('mode') ? true : undefined}>
            <option value="rain">비 (우천)</option>
            <option value="snow">눈 (강설)</option>
          </select>
        </label>
        <label>
          날씨 할증 금액 (원)
          <input type="number" value={amount} onChange={(e) => setAmount(e.target.value)} aria-invalid={problem('amount') ? true : undefined} aria-describedby={problem('amount') ? `${ids}-amount` : undefined} />
        </label>
        {problem('amount') && (
          <span className="problem" id={`${ids}-amount`} role="alert">
            {problem('amount')}
          </span>
        )}
        <label>
          종료 시각 (서울)
          <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} aria-invalid={problem('until') ? true : undefined} aria-describedby={problem('until') ? `${ids}-until` : undefined} />
        </label>
        {problem('until') && (
          <span className="problem" id={`${ids}-until`} role="alert">
            {problem('until')}
          </span>
        )}
        <button type="button" disabled={!canChange || busy} onClick={() => void send(true)}>
          날씨 할증 켜기
        </button>
        <button type="button" disabled={!canChange || busy || !current} onClick={() => void send(false)}>
          날씨 할증 끄기
        </button>
      </div>
      {message && <p className="muted">{message}</p>}
    </section>
  );
}
