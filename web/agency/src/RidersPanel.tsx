import { duration, RIDER_STATE_LABEL } from './format';
import type { Rider } from './types';

/** The agency's riders: state, load against capacity, and how old their last position is. */
export function RidersPanel({ riders }: { riders: Rider[] }) {
  return (
    <section aria-labelledby="riders-title">
      <h2 id="riders-title">라이더</h2>
      <table className="riders">
        <thead>
          <tr>
            <th scope="col">이름</th>
            <th scope="col">상태</th>
            <th scope="col">적재</th>
            <th scope="col">위치 갱신</th>
          </tr>
        </thead>
        <tbody>
          {riders.map((r) => (
            <tr key={r.id} aria-label={`라이더 ${r.name}`}>
              <th scope="row">{r.name}</th>
              <td className={`state state-${r.state}`}>{RIDER_STATE_LABEL[r.state]}</td>
              <td className={r.load.active >= r.capacity ? 'full' : undefined}>
                {r.load.active}/{r.capacity}
                {r.load.offered > 0 ? ` (제안 ${r.load.offered})` : ''}
              </td>
              <td className={r.position && r.position.ageSeconds > 60 ? 'stale' : undefined}>{r.position ? `${duration(r.position.ageSeconds)} 전` : '위치 없음'}</td>
            </tr>
          ))}
          {riders.length === 0 && (
            <tr>
              <td colSpan={4}>등록된 라이더가 없습니다</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
