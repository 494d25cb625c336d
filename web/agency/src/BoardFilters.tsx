import { useEffect, useState, type FormEvent } from 'react';
import type { AgencyApi } from './api';
import { ErrorLine } from './ErrorLine';
import { seoulIso, STATUS_LABEL, STATUSES } from './format';
import type { Restaurant, Rider } from './types';

/** What the board is filtered by, as the operator typed it (times in Seoul, `datetime-local`). */
export interface BoardFilterValues {
  q: string;
  status: string;
  restaurantId: string;
  riderId: string;
  from: string;
  to: string;
}

export const NO_FILTERS: BoardFilterValues = { q: '', status: '', restaurantId: '', riderId: '', from: '', to: '' };

/** The filters as the deliveries API (and its CSV export) takes them; what is left empty is left out. */
export function boardQuery(f: BoardFilterValues): string {
  const params = new URLSearchParams();
  if (f.q.trim()) params.set('q', f.q.trim());
  if (f.status) params.set('status', f.status);
  if (f.restaurantId) params.set('restaurantId', f.restaurantId);
  if (f.riderId) params.set('riderId', f.riderId);
  if (f.from) params.set('from', seoulIso(f.from));
  if (f.to) params.set('to', seoulIso(f.to));
  return params.toString();
}

/**
 * The board's filter bar: text search, status, restaurant, rider and time range, applied together; `problem` is the
 * server's refusal of them (a 400), shown here while the board keeps what it showed.
 */
export function BoardFilters({ api, riders, applied, problem, onApply }: { api: AgencyApi; riders: Rider[]; applied: BoardFilterValues; problem: string | null; onApply: (f: BoardFilterValues) => void }) {
  const [draft, setDraft] = useState(applied);
  const [restaurants, setRestaurants] = useState<Restaurant[]>([]);
  useEffect(() => {
    // Without the list (intake not answering) the filter still works for everything else.
    api.dispatch<{ restaurants: Restaurant[] }>('GET', '/restaurants').then((r) => setRestaurants(r.restaurants), () => undefined);
  }, [api]);
  const set = (key: keyof BoardFilterValues) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  return (
    <form className="inline-form" aria-label="배달 검색" onSubmit={submit}>
      <label>
        검색
        <input type="search" value={draft.q} onChange={set('q')} maxLength={100} placeholder="주문 ID, 주소, 라이더" />
      </label>
      <Choice label="상태" value={draft.status} onChange={set('status')} options={STATUSES.map((s) => ({ id: s, name: STATUS_LABEL[s] }))} />
      <Choice label="식당" value={draft.restaurantId} onChange={set('restaurantId')} options={restaurants} />
      <Choice label="라이더" value={draft.riderId} onChange={set('riderId')} options={riders} />
      <label>
        접수 부터
        <input type="datetime-local" value={draft.from} onChange={set('from')} />
      </label>
      <label>
        접수 까지
        <input type="datetime-local" value={draft.to} onChange={set('to')} />
      </label>
      <button type="submit">적용</button>
      <button
        type="button"
        onClick={() => {
          setDraft(NO_FILTERS);
          onApply(NO_FILTERS);
        }}
      >
        초기화
      </button>
      <ErrorLine text={problem} />
    </form>
  );
}

/** One of the bar's lists: 모두 (no filter) or one of `options`. */
function Choice({ label, value, onChange, options }: { label: string; value: string; onChange: (e: { target: { value: string } }) => void; options: Array<{ id: string; name: string }> }) {
  return (
    <label>
      {label}
      <select value={value} onChange={onChange}>
        <option value="">모두</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}
