import { useState, type FormEvent } from 'react';
import type { AgencyApi } from './api';
import { RIDER_STATE_LABEL } from './format';
import type { Rider } from './types';
import { ShownOnce } from './ShownOnce';
import { useAction } from './use-action';
import { ErrorLine } from './ErrorLine';
import { RowActions } from './RowActions';

/** The agency's riders to manage: create (token shown once), rename, change capacity, disable, enable (owners). */
export function RiderAdmin({ api, riders, canManage, onChanged }: { api: AgencyApi; riders: Rider[]; canManage: boolean; onChanged: () => void }) {
  const [name, setName] = useState('');
  const [capacity, setCapacity] = useState('3');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const { problem, act } = useAction(onChanged);
  const create = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      setCreated(await api.dispatch('POST', '/riders', { name: name.trim(), capacity: Number(capacity) }));
      setName('');
    });
  };

  return (
    <section aria-labelledby="rider-admin-title">
      <h2 id="rider-admin-title">라이더 관리</h2>
      {canManage && (
        <form onSubmit={create} className="inline-form" aria-label="라이더 등록">
          <label>
            이름
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          </label>
          <label>
            동시 배달 수
            <input type="number" min={1} max={20} value={capacity} onChange={(e) => setCapacity(e.target.value)} required />
          </label>
          <button type="submit">라이더 등록</button>
        </form>
      )}
      {created && (
        <ShownOnce label="라이더 토큰" what={`${created.name} 라이더 앱 토큰`} secret={created.token} />
      )}
      <ErrorLine text={problem} />
      <table className="admin-table">
        <thead>
          <tr>
            <th scope="col">이름</th>
            <th scope="col">상태</th>
            <th scope="col">동시 배달 수</th>
            {canManage && <th scope="col">작업</th>}
          </tr>
        </thead>
        <tbody>
          {riders.map((r) => (
            <RiderRow key={r.id} rider={r} canManage={canManage} onEdit={(body) => act(() => api.dispatch('PATCH', `/riders/${r.id}`, body))} onToggle={() => act(() => (r.disabled ? api.dispatch('POST', `/riders/${r.id}/enable`) : api.dispatch('POST', `/riders/${r.id}/disable`)))} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RiderRow({ rider: r, canManage, onEdit, onToggle }: { rider: Rider; canManage: boolean; onEdit: (body: { name: string; capacity: number }) => Promise<void>; onToggle: () => Promise<void> }) {
  const [name, setName] = useState(r.name);
  const [capacity, setCapacity] = useState(String(r.capacity));
  const changed = name.trim() !== r.name || Number(capacity) !== r.capacity;
  return (
    <tr aria-label={`라이더 관리 ${r.name}`}>
      <th scope="row">{canManage ? <input aria-label={`${r.name} 이름`} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} /> : r.name}</th>
      <td>{r.disabled ? '사용 중지' : RIDER_STATE_LABEL[r.state]}</td>
      <td>{canManage ? <input aria-label={`${r.name} 동시 배달 수`} type="number" min={1} max={20} value={capacity} onChange={(e) => setCapacity(e.target.value)} /> : r.capacity}</td>
      {canManage && (
        <RowActions changed={changed} disabled={!!r.disabled} onSave={() => void onEdit({ name: name.trim(), capacity: Number(capacity) })} onToggle={() => void onToggle()} />
      )}
    </tr>
  );
}
