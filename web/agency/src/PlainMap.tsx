import { shortId } from './format';
import { fitProjection } from './projection';
import { riderRoutes, UNDER_WAY } from './routes';
import type { Delivery, Rider } from './types';

const WIDTH = 640;
const HEIGHT = 420;

/**
 * Riders, pickups and drop-offs of deliveries under way and each rider's route, drawn on plain SVG: works with no
 * map tiles reachable. The tile map falls back to it (`note` says why).
 */
export function PlainMap({ deliveries, riders, note }: { deliveries: Delivery[]; riders: Rider[]; note?: string }) {
  const active = deliveries.filter((d) => UNDER_WAY.has(d.status));
  const placed = riders.filter((r) => r.position);
  const projection = fitProjection([...active.flatMap((d) => [d.pickup, d.dropoff]), ...placed.map((r) => r.position!)], WIDTH, HEIGHT);
  const { project } = projection;
  return (
    <figure className="map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="라이더와 배달 지도" aria-describedby="map-legend">
        <rect width={WIDTH} height={HEIGHT} className="map-bg" />
        {active.map((d) => {
          const from = project(d.pickup);
          const to = project(d.dropoff);
          return <line key={`line-${d.id}`} x1={from.x} y1={from.y} x2={to.x} y2={to.y} className={`trip trip-${d.status}`} />;
        })}
        {riderRoutes(active, placed).map(({ rider, points }) => (
          <polyline key={`route-${rider.id}`} points={points.map((p) => project(p)).map(({ x, y }) => `${x},${y}`).join(' ')} className="route" />
        ))}
        {active.map((d) => {
          const p = project(d.pickup);
          const label = `픽업 ${d.restaurantName ?? ''} #${shortId(d.id)}`.replace('  ', ' ');
          return (
            <g key={`pickup-${d.id}`} role="img" aria-label={label} className="marker pickup">
              <title>{`${label} ${d.pickup.address ?? ''}`}</title>
              <rect x={p.x - 6} y={p.y - 6} width={12} height={12} />
              <text x={p.x + 9} y={p.y - 8}>{d.restaurantName ?? `픽업 ${shortId(d.id)}`}</text>
            </g>
          );
        })}
        {active.map((d) => {
          const p = project(d.dropoff);
          const label = `도착 #${shortId(d.id)}`;
          return (
            <g key={`dropoff-${d.id}`} role="img" aria-label={label} className="marker dropoff">
              <title>{`${label} ${d.dropoff.address ?? ''}`}</title>
              <path d={`M ${p.x} ${p.y - 8} L ${p.x + 7} ${p.y + 6} L ${p.x - 7} ${p.y + 6} Z`} />
              <text x={p.x + 9} y={p.y + 14}>{label}</text>
            </g>
          );
        })}
        {placed.map((r) => {
          const p = project(r.position!);
          const label = `라이더 ${r.name}`;
          return (
            <g key={`rider-${r.id}`} role="img" aria-label={label} className={`marker rider rider-${r.state}`}>
              <title>{`${label} (${r.load.active}/${r.capacity}) ${r.position!.ageSeconds}초 전`}</title>
              <circle cx={p.x} cy={p.y} r={7} />
              <text x={p.x + 10} y={p.y + 4}>{r.name}</text>
            </g>
          );
        })}
        {active.length === 0 && placed.length === 0 && (
          <text x={WIDTH / 2} y={HEIGHT / 2} textAnchor="middle" className="map-empty">
            표시할 위치가 없습니다
          </text>
        )}
      </svg>
      <figcaption id="map-legend" className="legend">
        <span className="key rider">● 라이더</span> <span className="key pickup">■ 픽업</span> <span className="key dropoff">▲ 도착</span>{' '}
        <span className="hint">지도 타일 없이 위경도로 그린 지도입니다 (북쪽이 위)</span>
        {note && (
          <span className="badge warn" role="status" aria-label="지도 상태">
            {note}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
