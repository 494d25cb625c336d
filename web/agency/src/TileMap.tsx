import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useEffect, useRef } from 'react';
import { shortId } from './format';
import { riderRoutes, UNDER_WAY } from './routes';
import type { Delivery, Rider } from './types';

export interface TileSource {
  tileUrl: string;
  attribution: string;
}

/**
 * No animations: the map is unmounted whenever the operator changes screens or the tiles fail, and Leaflet throws
 * from an animation frame that outlives its map.
 */
export const STILL: L.MapOptions = { zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false };

/** Seoul City Hall, until there is something to show. */
const START: L.LatLngTuple = [37.5665, 126.978];
/** No tile loaded this long after the map opened: the tile source is taken as unreachable. */
const FIRST_TILE_TIMEOUT_MS = 8000;

const icon = (className: string) => L.divIcon({ className: `tile-marker ${className}`, iconSize: [14, 14] });
const at = (p: { lng: number; lat: number }): L.LatLngTuple => [p.lat, p.lng];

/**
 * The board's map with Leaflet over the configured raster tiles: riders, pickups, drop-offs, trips and each rider's
 * route. Says `onTilesFailed` when no tile loads (no network, tile server down), so the caller can fall back.
 */
export function TileMap({ tiles, deliveries, riders, onTilesFailed }: { tiles: TileSource; deliveries: Delivery[]; riders: Rider[]; onTilesFailed: () => void }) {
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.LayerGroup | null>(null);
  const fitted = useRef('');
  const failed = useRef(onTilesFailed);
  failed.current = onTilesFailed;

  useEffect(() => {
    const m = L.map(container.current!, STILL).setView(START, 14);
    let loaded = 0;
    let gaveUp = false;
    const giveUp = () => {
      if (loaded || gaveUp) return;
      gaveUp = true;
      failed.current();
    };
    L.tileLayer(tiles.tileUrl, { attribution: tiles.attribution, maxZoom: 19 })
      .on('tileload', () => loaded++)
      .on('tileerror', giveUp)
      .addTo(m);
    const timer = setTimeout(giveUp, FIRST_TILE_TIMEOUT_MS);
    layer.current = L.layerGroup().addTo(m);
    map.current = m;
    return () => {
      clearTimeout(timer);
      m.stop();
      m.remove();
      map.current = null;
    };
  }, [tiles.tileUrl, tiles.attribution]);

  useEffect(() => {
    const group = layer.current;
    if (!group || !map.current) return;
    group.clearLayers();
    const active = deliveries.filter((d) => UNDER_WAY.has(d.status));
    const placed = riders.filter((r) => r.position);
    for (const d of active) {
      L.polyline([at(d.pickup), at(d.dropoff)], { className: `trip trip-${d.status}`, dashArray: '4 3', weight: 2 }).addTo(group);
      L.marker(at(d.pickup), { icon: icon('pickup'), title: `픽업 ${d.restaurantName ?? ''} #${shortId(d.id)}` }).addTo(group);
      L.marker(at(d.dropoff), { icon: icon('dropoff'), title: `도착 #${shortId(d.id)}` }).addTo(group);
    }
    for (const { rider, points } of riderRoutes(active, placed)) L.polyline(points.map(at), { className: 'route', weight: 3 }).bindTooltip(`${rider.name} 경로`).addTo(group);
    for (const r of placed) {
      L.circleMarker(at(r.position!), { radius: 7, className: `rider-dot rider-${r.state}` })
        .bindTooltip(r.name, { permanent: true, direction: 'right', className: 'rider-label' })
        .addTo(group);
    }
    // Fitted again only when what is shown changes, so an operator's own panning is not undone every poll.
    const points = [...active.flatMap((d) => [at(d.pickup), at(d.dropoff)]), ...placed.map((r) => at(r.position!))];
    const shown = [...active.map((d) => d.id), ...placed.map((r) => r.id)].sort().join();
    if (points.length && shown !== fitted.current) {
      fitted.current = shown;
      map.current.fitBounds(L.latLngBounds(points), { padding: [30, 30], maxZoom: 16, animate: false });
    }
  }, [deliveries, riders]);

  return (
    <figure className="map">
      <div ref={container} className="tile-map" role="region" aria-label="라이더와 배달 지도 (지도 타일)" />
      <figcaption className="legend">
        <span className="key rider">● 라이더</span> <span className="key pickup">■ 픽업</span> <span className="key dropoff">▲ 도착</span> <span className="key route">— 라이더 경로</span>
      </figcaption>
    </figure>
  );
}
