import { useEffect, useId, useState, type ReactNode } from 'react';
import { ApiError, describeError, type AgencyApi } from './api';
import { seoulTime } from './format';
import { ErrorRouter, getAt, setAt, tariffField } from './tariff-paths';
import type { FieldError, Tariff, TariffView } from './types';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

interface EditorProps {
  api: AgencyApi;
  view: TariffView;
  /** Only owners change the tariff; others see it with saving off. */
  canChange: boolean;
  onSaved: (view: TariffView) => void;
}

/**
 * The agency's tariff as a form of its main fields and, for everything (zones, service area, holiday dates), as
 * JSON; both edit one draft. Saving writes a new version; fee's TARIFF_INVALID problems appear beside the fields
 * they name, and the rest beside the JSON.
 */
export function TariffEditor({ api, view, canChange, onSaved }: EditorProps) {
  const [draft, setDraft] = useState<Tariff>(view.tariff);
  const [json, setJson] = useState(() => JSON.stringify(view.tariff, null, 2));
  const [jsonProblem, setJsonProblem] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);
  // A success names its version, and is shown only while that version is the one in force here.
  const [message, setMessage] = useState<{ text: string; error: boolean; version?: number } | null>(null);

  // A new version from elsewhere (weather mode, another operator) replaces an untouched draft.
  useEffect(() => {
    if (dirty) return;
    setDraft(view.tariff);
    setJson(JSON.stringify(view.tariff, null, 2));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view.version]);

  const change = (next: Tariff) => {
    setDraft(next);
    setJson(JSON.stringify(next, null, 2));
    setJsonProblem(null);
    setDirty(true);
  };
  const update = (path: string, value: unknown) => change(setAt(draft, path, value));

  const editJson = (text: string) => {
    setJson(text);
    setDirty(true);
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('요금표는 JSON 객체여야 합니다');
      setDraft(parsed as Tariff);
      setJsonProblem(null);
    } catch (e) {
      setJsonProblem(`JSON 형식 오류: ${(e as Error).message}`);
    }
  };

  const save = async () => {
    if (jsonProblem) return;
    setSaving(true);
    setMessage(null);
    try {
      const saved = await api.dispatch<TariffView>('PUT', '/tariff', { tariff: draft });
      setErrors([]);
      setDirty(false);
      setDraft(saved.tariff);
      setJson(JSON.stringify(saved.tariff, null, 2));
      setMessage({ text: `v${saved.version} 저장됨`, error: false, version: saved.version });
      onSaved(saved);
    } catch (e) {
      // VALIDATION_FAILED names a place the JSON editor can put NUL or a lone surrogate in, before fee reads the tariff.
      if (e instanceof ApiError && (e.code === 'TARIFF_INVALID' || e.code === 'VALIDATION_FAILED')) {
        setErrors(e.fieldErrors);
        setMessage({ text: `저장하지 못했습니다: 잘못된 값 ${e.fieldErrors.length}개`, error: true });
      } else {
        setMessage({ text: describeError(e), error: true });
      }
    } finally {
      setSaving(false);
    }
  };

  const revert = () => {
    setDirty(false);
    setErrors([]);
    setMessage(null);
    setDraft(view.tariff);
    setJson(JSON.stringify(view.tariff, null, 2));
    setJsonProblem(null);
  };

  const router = new ErrorRouter(errors);
  const num = (path: string, label: string, optional = false) => (
    <NumberField key={path} path={path} label={label} value={getAt(draft, path)} optional={optional} errors={router.at(path)} onChange={(v) => update(path, v)} />
  );
  const text = (path: string, label: string, placeholder?: string) => (
    <TextField key={path} path={path} label={label} value={getAt(draft, path)} placeholder={placeholder} errors={router.at(path)} onChange={(v) => update(path, v)} />
  );
  const choice = (path: string, label: string, options: Array<[string, string]>, onChange?: (v: string) => void) => (
    <SelectField key={path} path={path} label={label} value={getAt(draft, path)} options={options} errors={router.at(path)} onChange={onChange ?? ((v) => update(path, /^\d+$/.test(v) ? Number(v) : v))} />
  );

  const distance = (draft.distance ?? {}) as { kind?: string; bands?: Array<Record<string, unknown>> };
  const surcharges = (draft.surcharges ?? {}) as { night?: unknown; holidays?: { dates?: string[] }; peak?: Array<Record<string, unknown>> };
  const commission = (draft.commission ?? {}) as { kind?: string };
  const peaks = surcharges.peak ?? [];
  const bands = distance.bands ?? [];

  // Inputs first, groups after, so a group shows only what no input of its own claimed.
  const basics = (
    <fieldset>
      <legend>기본 요금과 거리</legend>
      {num('baseFee', '기본요금 (원)')}
      {num('baseDistanceMeters', '기본 거리 (m)')}
      {choice('distance.kind', '거리 요금 방식', [['steps', '구간마다 (steps)'], ['bands', '거리대별 (bands)']], (kind) =>
        update('distance', kind === 'bands' ? { kind: 'bands', bands: [{ fromMeters: getAt(draft, 'baseDistanceMeters') ?? 1500, amount: 1000 }] } : { kind: 'steps', stepMeters: 500, stepFee: 500 }),
      )}
      {distance.kind === 'steps' && (
        <>
          {num('distance.stepMeters', '할증 구간 (m)')}
          {num('distance.stepFee', '구간당 요금 (원)')}
        </>
      )}
      {distance.kind === 'bands' && (
        <div className="rows" role="group" aria-label="거리대">
          {bands.map((_, i) => {
            const row = `distance.bands[${i}]`;
            const inputs = (
              <>
                {num(`${row}.fromMeters`, `거리대 ${i + 1} 시작 (m)`)}
                {num(`${row}.toMeters`, `거리대 ${i + 1} 끝 (m, 비우면 끝없음)`, true)}
                {num(`${row}.amount`, `거리대 ${i + 1} 요금 (원)`)}
              </>
            );
            return (
              <div key={row} className="row" data-field={`tariff.${row}`}>
                {inputs}
                <Problems errors={router.within(row)} />
                <button type="button" onClick={() => update('distance.bands', bands.filter((__, j) => j !== i))}>
                  거리대 {i + 1} 삭제
                </button>
              </div>
            );
          })}
          <button type="button" onClick={() => update('distance.bands', [...bands, { fromMeters: (bands.at(-1)?.toMeters as number | undefined) ?? 3000, amount: 0 }])}>
            거리대 추가
          </button>
        </div>
      )}
      <Problems errors={router.within('distance')} />
    </fieldset>
  );

  const limits = (
    <fieldset>
      <legend>한도</legend>
      {num('minimumFee', '최소 요금 (원)', true)}
      {num('maximumFee', '최대 요금 (원)', true)}
      {num('maximumDistanceMeters', '최대 거리 (m)', true)}
      {choice('distanceBasis', '거리 기준', [['route', '도로 거리 (route)'], ['straight', '직선 거리 (straight)']])}
      {choice('rounding.unit', '반올림 단위 (원)', ['1', '10', '50', '100', '500', '1000'].map((u) => [u, u]))}
      {choice('rounding.mode', '반올림 방식', [['up', '올림'], ['down', '내림'], ['nearest', '반올림']])}
      {choice('commission.kind', '수수료 방식', [['percent', '비율 (%)'], ['fixed', '정액 (원)']], (kind) =>
        update('commission', kind === 'fixed' ? { kind: 'fixed', amount: 0 } : { kind: 'percent', percent: 0 }),
      )}
      {commission.kind === 'fixed' ? num('commission.amount', '수수료 (원)') : num('commission.percent', '수수료 (%)')}
      <Problems errors={router.within('rounding')} />
      <Problems errors={router.within('commission')} />
    </fieldset>
  );

  const night = (
    <fieldset>
      <legend>심야·공휴일 할증</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={surcharges.night !== undefined}
          onChange={(e) => update('surcharges.night', e.target.checked ? { from: '22:00', to: '06:00', amount: 1000 } : undefined)}
        />
        심야 할증 사용
      </label>
      {surcharges.night !== undefined && (
        <>
          {text('surcharges.night.from', '심야 할증 시작', 'HH:MM')}
          {text('surcharges.night.to', '심야 할증 끝', 'HH:MM')}
          {num('surcharges.night.amount', '심야 할증 금액 (원)')}
        </>
      )}
      <Problems errors={router.within('surcharges.night')} />
      <NumberField
        path="surcharges.holidays.amount"
        label={`공휴일 할증 금액 (원, 공휴일 ${surcharges.holidays?.dates?.length ?? 0}일)`}
        value={getAt(draft, 'surcharges.holidays.amount')}
        optional
        errors={router.at('surcharges.holidays.amount')}
        onChange={(v) => update('surcharges.holidays', v === undefined && !surcharges.holidays?.dates?.length ? undefined : { dates: [], ...surcharges.holidays, amount: v ?? 0 })}
      />
    </fieldset>
  );

  const peak = (
    <fieldset>
      <legend>피크 시간 할증</legend>
      {peaks.map((p, i) => {
        const row = `surcharges.peak[${i}]`;
        const inputs = (
          <>
            {text(`${row}.label`, `피크 ${i + 1} 이름`)}
            <TextField
              path={`${row}.days`}
              label={`피크 ${i + 1} 요일 (mon,tue… 비우면 매일)`}
              value={Array.isArray(p.days) ? (p.days as string[]).join(',') : ''}
              errors={router.within(`${row}.days`)}
              onChange={(v) => update(`${row}.days`, v.trim() ? v.split(',').map((d) => d.trim()).filter(Boolean) : undefined)}
            />
            {text(`${row}.from`, `피크 ${i + 1} 시작`, 'HH:MM')}
            {text(`${row}.to`, `피크 ${i + 1} 끝`, 'HH:MM')}
            {num(`${row}.amount`, `피크 ${i + 1} 금액 (원)`)}
          </>
        );
        return (
          <div key={row} className="row" data-field={`tariff.${row}`}>
            {inputs}
            <Problems errors={router.within(row)} />
            <button type="button" onClick={() => update('surcharges.peak', peaks.filter((__, j) => j !== i))}>
              피크 {i + 1} 삭제
            </button>
          </div>
        );
      })}
      <button type="button" onClick={() => update('surcharges.peak', [...peaks, { label: '피크', days: WEEKDAYS.slice(0, 5), from: '11:30', to: '13:30', amount: 500 }])}>
        피크 시간 추가
      </button>
      <Problems errors={router.within('surcharges.peak')} />
    </fieldset>
  );

  const rest = router.rest();
  return (
    <section aria-labelledby="tariff-title" className="tariff">
      <h2 id="tariff-title">요금표</h2>
      <p aria-label="현재 버전">
        현재 버전 <strong>v{view.version}</strong> <span className="muted">({seoulTime(view.effectiveFrom)}부터)</span>
        {view.scheduled && view.scheduled.length > 0 && <span className="muted"> · 예약된 버전 {view.scheduled.map((s) => `v${s.version} (${seoulTime(s.effectiveFrom)})`).join(', ')}</span>}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        aria-label="요금표 편집"
      >
        <div className="tariff-grid">
          {basics}
          {limits}
          {night}
          {peak}
        </div>
        <details open={rest.length > 0 || undefined}>
          <summary>고급: 전체 JSON 편집 (지역 할증, 서비스 지역, 공휴일 날짜 등)</summary>
          <label className="json">
            요금표 JSON
            <textarea value={json} onChange={(e) => editJson(e.target.value)} rows={18} spellCheck={false} aria-invalid={jsonProblem ? true : undefined} />
          </label>
          {jsonProblem && (
            <p className="error" role="alert">
              {jsonProblem}
            </p>
          )}
        </details>
        {rest.length > 0 && (
          <div className="error" role="alert" aria-label="다른 항목의 오류">
            <p>다른 항목의 오류:</p>
            <ul>
              {rest.map((e, i) => (
                <li key={i}>
                  <code>{e.field}</code>: {e.reason}
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="actions">
          <button type="submit" disabled={!canChange || saving || !!jsonProblem}>
            {saving ? '저장 중…' : '요금표 저장'}
          </button>
          <button type="button" onClick={revert} disabled={saving || !dirty}>
            되돌리기
          </button>
          {!canChange && <span className="muted">요금표 변경은 대표만 할 수 있습니다</span>}
          {message && (message.error || message.version === view.version) && (
            <span role="status" className={message.error ? 'error' : 'ok'}>
              {message.text}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}

interface FieldProps<T> {
  path: string;
  label: string;
  value: unknown;
  errors: FieldError[];
  onChange: (value: T) => void;
}

/** One input with its label and, beside it, fee's problems with it (its accessible description). */
function Field({ path, label, errors, children }: { path: string; label: string; errors: FieldError[]; children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode }) {
  const id = useId();
  const problemId = `${id}-problem`;
  return (
    <div className={`field${errors.length ? ' invalid' : ''}`} data-field={`tariff.${path}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(errors.length ? { 'aria-invalid': true, 'aria-describedby': problemId } : {}) })}
      {errors.length > 0 && (
        <span className="problem" id={problemId} role="alert">
          {errors.map((e) => e.reason).join('; ')}
        </span>
      )}
    </div>
  );
}

function NumberField({ optional, ...props }: FieldProps<number | undefined> & { optional?: boolean }) {
  const value = props.value;
  return (
    <Field {...props}>
      {(a) => (
        <input
          {...a}
          type="number"
          inputMode="numeric"
          value={typeof value === 'number' || typeof value === 'string' ? value : ''}
          placeholder={optional ? '없음' : undefined}
          onChange={(e) => props.onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        />
      )}
    </Field>
  );
}

function TextField({ placeholder, ...props }: FieldProps<string> & { placeholder?: string }) {
  return <Field {...props}>{(a) => <input {...a} type="text" value={typeof props.value === 'string' ? props.value : ''} placeholder={placeholder} onChange={(e) => props.onChange(e.target.value)} />}</Field>;
}

function SelectField({ options, ...props }: FieldProps<string> & { options: Array<[string, string]> }) {
  return (
    <Field {...props}>
      {(a) => (
        <select {...a} value={props.value === undefined ? '' : String(props.value)} onChange={(e) => props.onChange(e.target.value)}>
          {props.value !== undefined && !options.some(([v]) => v === String(props.value)) && <option value={String(props.value)}>{String(props.value)}</option>}
          {options.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Problems of a row or group that no single input of the form shows. */
function Problems({ errors }: { errors: FieldError[] }) {
  if (errors.length === 0) return null;
  return (
    <p className="problem" role="alert">
      {errors.map((e) => `${tariffField(e)}: ${e.reason}`).join('; ')}
    </p>
  );
}
