import { Component, useEffect, useState, type ReactNode } from 'react';
import { PlainMap } from './PlainMap';
import { TileMap, type TileSource } from './TileMap';
import type { Delivery, Rider } from './types';

/** Where the tiles come from, as dispatch was configured (DASHBOARD_TILE_URL); null until known or if unknowable. */
function useTileSource(): { tiles: TileSource | null; problem: string | null } {
  const [state, setState] = useState<{ tiles: TileSource | null; problem: string | null }>({ tiles: null, problem: null });
  useEffect(() => {
    let alive = true;
    fetch('/v1/dashboard-config')
      .then((r) => (r.ok ? (r.json() as Promise<{ map: TileSource }>) : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((config) => alive && setState({ tiles: config.map, problem: null }))
      .catch(() => alive && setState({ tiles: null, problem: '지도 설정을 읽지 못해 위경도 그림으로 표시합니다' }));
    return () => {
      alive = false;
    };
  }, []);
  return state;
}

/**
 * The board's map: tiles when they load, today's plain drawing otherwise (no network, tile server down, the map
 * library failing), saying which. Nothing the map does can stop the board.
 */
export function MapGuard({ deliveries, riders }: { deliveries: Delivery[]; riders: Rider[] }) {
  const { tiles, problem } = useTileSource();
  const [fallback, setFallback] = useState<string | null>(null);
  const plain = (note?: string) => <PlainMap deliveries={deliveries} riders={riders} note={note} />;
  if (!tiles || fallback) return plain(fallback ?? problem ?? undefined);
  return (
    <Boundary onError={() => setFallback('지도를 그리지 못해 위경도 그림으로 표시합니다')}>
      <TileMap tiles={tiles} deliveries={deliveries} riders={riders} onTilesFailed={() => setFallback('지도 타일을 불러오지 못해 위경도 그림으로 표시합니다')} />
    </Boundary>
  );
}

class Boundary extends Component<{ onError: () => void; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch() {
    this.props.onError();
  }
  override render() {
    return this.state.failed ? null : this.props.children;
  }
}
