import { useCallback, useState, type FormEvent } from 'react';
import { describeError, type AgencyApi } from './api';
import { ErrorLine } from './ErrorLine';
import { RowActions } from './RowActions';
import { ShownOnce } from './ShownOnce';
import type { Restaurant } from './types';
import { useAction } from './use-action';
import { usePolling } from './use-polling';

/** The restaurants are listed again this often, so another operator's changes show too. */
const RELIST_MS = 30_000;

/** The fields a restaurant is created or edited with, as the form holds them (text until sent). */
interface Fields {
  name: string;
  address: string;
  lng: string;
  lat: string;
  callbackUrl: string;
  defaultCookingMinutes: string;
}

const EMPTY: Fields = { name: '', address: '', lng: '', lat: '', callbackUrl: '', defaultCookingMinutes: '' };

const fieldsOf = (r: Restaurant): Fields => ({
  name: r.name,
  address: r.address,
  lng: String(r.lng),
  lat: String(r.lat),
  callbackUrl: r.callbackUrl ?? '',
  defaultCookingMinutes: r.defaultCookingMinutes === null ? '' : String(r.defaultCookingMinutes),
});

/** The body the server takes: an empty callback URL or cooking time is `null` (none, the service default). */
const bodyOf = (f: Fields) => ({
  name: f.name.trim(),
  address: f.address.trim(),
  lng: Number(f.lng),
  lat: Number(f.lat),
  callbackUrl: f.callbackUrl.trim() || null,
  defaultCookingMinutes: f.defaultCookingMinutes.trim() === '' ? null : Number(f.defaultCookingMinutes),
});

interface Created extends Restaurant {
  webhookSecret: string;
  apiKey: string;
}

/** The agency's restaurants: listed to everyone; owners register (keys shown once), edit, disable and enable them. */
export function RestaurantAdmin({ api, canManage }: { api: AgencyApi; canManage: boolean }) {
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [created, setCreated] = useState<Created | null>(null);
  // One listing at a time: after a save and then a disable, the listing asked after the save never lands last.
  const load = useCallback(() => api.dispatch<{ restaurants: Restaurant[] }>('GET', '/restaurants'), [api]);
  const { data, error, refresh } = usePolling(load, RELIST_MS);
  const restaurants = data?.restaurants ?? [];
  const loadProblem = error === undefined ? null : describeError(error);
  const { problem, act } = useAction(refresh);
  const create = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      setCreated(await api.dispatch<Created>('POST', '/restaurants', bodyOf(fields)));
      setFields(EMPTY);
    });
  };

  return (
    <section aria-labelledby="restaurant-admin-title">
      <h2 id="restaurant-admin-title">식당 관리</h2>
      {canManage && (
        <form onSubmit={create} className="inline-form" aria-label="식당 등록">
          <RestaurantFields fields={fields} onChange={setFields} />
          <button type="submit">식당 등록</button>
        </form>
      )}
      {created && (
        <div>
          <ShownOnce label="웹훅 시크릿" what={`${created.name} 웹훅 시크릿`} secret={created.webhookSecret} />
          <ShownOnce label="식당 API 키" what={`${created.name} API 키`} secret={created.apiKey} hint="지금 복사해서 식당 POS에 넣으세요 (선택 후 Ctrl+C). 이 화면을 벗어나면 다시 볼 수 없고, 잃어버리면 새로 발급해야 합니다." />
        </div>
      )}
      <ErrorLine text={problem ?? loadProblem} />
      <table className="admin-table" aria-label="식당 목록">
        <thead>
          <tr>
            <th scope="col">이름</th>
            <th scope="col">주소</th>
            <th scope="col">위치 (경도, 위도)</th>
            <th scope="col">콜백 URL</th>
            <th scope="col">조리 시간 (분)</th>
            <th scope="col">상태</th>
            {canManage && <th scope="col">작업</th>}
          </tr>
        </thead>
        <tbody>
          {restaurants.map((r) => (
            <RestaurantRow
              key={`${r.id}:${r.name}:${r.address}:${r.lng}:${r.lat}:${r.callbackUrl}:${r.defaultCookingMinutes}`}
              restaurant={r}
              canManage={canManage}
              onEdit={(body) => act(() => api.dispatch('PATCH', `/restaurants/${r.id}`, body))}
              onToggle={() => act(() => (r.disabled ? api.dispatch('POST', `/restaurants/${r.id}/enable`) : api.dispatch('POST', `/restaurants/${r.id}/disable`)))}
            />
          ))}
          {restaurants.length === 0 && (
            <tr>
              <td colSpan={canManage ? 7 : 6}>등록된 식당이 없습니다</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** The inputs of a restaurant, labelled (prefixed with the restaurant's name in a row). */
function RestaurantFields({ fields, onChange, prefix = '', inRow = false }: { fields: Fields; onChange: (f: Fields) => void; prefix?: string; inRow?: boolean }) {
  const input = (key: keyof Fields, label: string, props: Record<string, unknown> = {}) => {
    const control = <input aria-label={inRow ? `${prefix} ${label}` : undefined} value={fields[key]} onChange={(e) => onChange({ ...fields, [key]: e.target.value })} {...props} />;
    return inRow ? (
      <td key={key}>{control}</td>
    ) : (
      <label key={key}>
        {label}
        {control}
      </label>
    );
  };
  return (
    <>
      {input('name', '식당 이름', { required: true, maxLength: 100 })}
      {input('address', '식당 주소', { required: true, maxLength: 300 })}
      {inRow ? (
        <td>
          <input aria-label={`${prefix} 경도`} value={fields.lng} onChange={(e) => onChange({ ...fields, lng: e.target.value })} inputMode="decimal" size={9} />
          <input aria-label={`${prefix} 위도`} value={fields.lat} onChange={(e) => onChange({ ...fields, lat: e.target.value })} inputMode="decimal" size={9} />
        </td>
      ) : (
        <>
          {input('lng', '경도', { required: true, inputMode: 'decimal' })}
          {input('lat', '위도', { required: true, inputMode: 'decimal' })}
        </>
      )}
      {input('callbackUrl', '콜백 URL', { type: 'url', placeholder: '없음' })}
      {input('defaultCookingMinutes', '조리 시간 (분)', { type: 'number', min: 0, max: 240, placeholder: '기본값' })}
    </>
  );
}

function RestaurantRow({ restaurant: r, canManage, onEdit, onToggle }: { restaurant: Restaurant; canManage: boolean; onEdit: (body: ReturnType<typeof bodyOf>) => Promise<void>; onToggle: () => Promise<void> }) {
  const [fields, setFields] = useState<Fields>(() => fieldsOf(r));
  const changed = JSON.stringify(bodyOf(fields)) !== JSON.stringify(bodyOf(fieldsOf(r)));
  const state = r.disabled ? '사용 중지' : '사용 중';
  return (
    <tr aria-label={`식당 관리 ${r.name}`}>
      {canManage ? (
        <RestaurantFields fields={fields} onChange={setFields} prefix={r.name} inRow />
      ) : (
        <>
          <td>{r.name}</td>
          <td>{r.address}</td>
          <td>
            {r.lng.toFixed(5)}, {r.lat.toFixed(5)}
          </td>
          <td>{r.callbackUrl ?? '없음'}</td>
          <td>{r.defaultCookingMinutes ?? '기본값'}</td>
        </>
      )}
      <td aria-label={`${r.name} 상태`}>{state}</td>
      {canManage && (
        <RowActions changed={changed} disabled={r.disabled} onSave={() => void onEdit(bodyOf(fields))} onToggle={() => void onToggle()} />
      )}
    </tr>
  );
}
