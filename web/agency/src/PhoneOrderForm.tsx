import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { won } from '../../shared/format';
import { ApiError, describeError, type AgencyApi } from './api';
import { STILL } from './TileMap';
import { usePolling } from './use-polling';
import type { LngLat } from './types';
import { ErrorLine } from './ErrorLine';

interface Restaurant extends LngLat {
  id: string;
  name: string;
  address: string;
}

/** Who placed the pin: a provider of fee's geocode chain, or the operator by hand. */
const PLACED_BY: Record<string, string> = { kakao: '카카오', naver: '네이버', operator: '직접 지정 (지도에서 옮김)' };
const placedBy = (provider: string) => PLACED_BY[provider] ?? `추정 (${provider})`;

type Payment = 'prepaid' | 'cash' | 'card';
const PAYMENT_LABEL: Record<Payment, string> = { prepaid: '선결제', cash: '만나서 현금', card: '만나서 카드' };

const newKey = () => `dashboard-${crypto.randomUUID()}`;

/**
 * An order taken by phone for one of the agency's restaurants. The address is placed through fee's geocode chain
 * (which provider placed it is shown) and the pin can be moved: the pin's point is what is sent. One idempotency
 * key per order: kept while the operator retries a failed send, so a retry never makes a second order.
 */
export function PhoneOrderForm({ api, onEntered }: { api: AgencyApi; onEntered: () => void }) {
  const loadRestaurants = useCallback(() => api.dispatch<{ restaurants: Restaurant[] }>('GET', '/order-entry/restaurants'), [api]);
  const { data: list, error: listError } = usePolling(loadRestaurants, 60_000);
  const restaurants = list?.restaurants ?? [];
  const [restaurantId, setRestaurantId] = useState('');
  const [address, setAddress] = useState('');
  const [detail, setDetail] = useState('');
  const [point, setPoint] = useState<(LngLat & { provider: string }) | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [phone, setPhone] = useState('');
  const [menu, setMenu] = useState('');
  const [amount, setAmount] = useState('');
  const [cooking, setCooking] = useState('15');
  const [payment, setPayment] = useState<Payment>('prepaid');
  const [collect, setCollect] = useState('');
  const [note, setNote] = useState('');
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [entered, setEntered] = useState<{ orderId: string; status: string } | null>(null);
  const restaurant = restaurants.find((r) => r.id === restaurantId) ?? null;

  const search = async () => {
    setSearching(true);
    setSearchError(null);
    try {
      const found = await api.dispatch<LngLat & { provider: string }>('POST', '/order-entry/geocode', { address: address.trim() });
      setPoint({ lng: found.lng, lat: found.lat, provider: found.provider });
    } catch (e) {
      setSearchError(`${describeError(e)} — 지도에서 위치를 직접 지정할 수 있습니다`);
    } finally {
      setSearching(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!point) {
      setError('도착지 위치가 없습니다: 주소를 검색하거나 지도에서 지정하세요');
      return;
    }
    setBusy(true);
    setError(null);
    const orderAmount = Number(amount);
    const body = {
      restaurantId,
      // The key names the order for the restaurant too, so the same order sent again is the same order.
      externalOrderId: key,
      dropoff: { address: address.trim(), lng: point.lng, lat: point.lat, ...(detail.trim() ? { detail: detail.trim() } : {}) },
      ...(phone.trim() ? { customer: { phone: phone.trim() } } : {}),
      items: [{ name: menu.trim() || '전화 주문', quantity: 1, unitPrice: orderAmount }],
      orderAmount,
      cookingMinutes: Number(cooking),
      payment: payment === 'prepaid' ? { method: payment } : { method: payment, collectAmount: Number(collect || amount) },
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    try {
      const answer = await api.dispatch<{ orderId: string; status: string }>('POST', '/orders', body, { 'idempotency-key': key });
      setEntered(answer);
      onEntered();
    } catch (e) {
      // Refused for its content: fix it and send; the same key is kept either way, so nothing is entered twice.
      setError(describeError(e) + (e instanceof ApiError && e.status >= 500 ? ' (같은 주문으로 다시 보내도 한 번만 접수됩니다)' : ''));
    } finally {
      setBusy(false);
    }
  };

  const startNew = () => {
    setEntered(null);
    setKey(newKey());
    setAddress('');
    setDetail('');
    setPoint(null);
    setPhone('');
    setMenu('');
    setAmount('');
    setCollect('');
    setNote('');
    setError(null);
  };

  if (entered) {
    return (
      <section aria-labelledby="phone-order-title">
        <h2 id="phone-order-title">전화 주문</h2>
        <p role="status" aria-label="접수 결과" className="badge">
          접수됨: 주문 {entered.orderId.slice(0, 8)} ({entered.status === 'received' ? '배차 대기' : '위치 확인 중'})
        </p>
        <button type="button" onClick={startNew}>
          새 주문
        </button>
      </section>
    );
  }

  return (
    <section aria-labelledby="phone-order-title">
      <h2 id="phone-order-title">전화 주문</h2>
      {listError !== undefined && (
        <p className="error" role="alert">
          식당 목록: {describeError(listError)}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-label="전화 주문 입력" className="form-grid">
        <div>
          <label>
            식당
            <select value={restaurantId} onChange={(e) => setRestaurantId(e.target.value)} required>
              <option value="">식당을 고르세요</option>
              {restaurants.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} · {r.address}
                </option>
              ))}
            </select>
          </label>
          <label>
            도착 주소
            <input value={address} onChange={(e) => setAddress(e.target.value)} required maxLength={300} />
          </label>
          <button type="button" onClick={() => void search()} disabled={searching || !address.trim()}>
            {searching ? '검색 중…' : '주소 검색'}
          </button>
          <ErrorLine text={searchError} />
          <label>
            상세 주소
            <input value={detail} onChange={(e) => setDetail(e.target.value)} maxLength={300} />
          </label>
          <PinMap
            point={point}
            fallbackCentre={restaurant}
            onMoved={(moved) => setPoint({ ...moved, provider: 'operator' })}
          />
          <p aria-label="위치 출처" className="muted">
            {point ? `위치: ${placedBy(point.provider)} · ${point.lat.toFixed(5)}, ${point.lng.toFixed(5)}` : '위치 없음: 주소를 검색하거나 지도를 눌러 지정하세요'}
          </p>
        </div>
        <div>
          <label>
            고객 전화번호
            <input type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} maxLength={20} placeholder="010-1234-5678" />
          </label>
          <label>
            메뉴
            <input value={menu} onChange={(e) => setMenu(e.target.value)} maxLength={200} />
          </label>
          <label>
            주문 금액 (원)
            <input type="number" min={0} step={1} value={amount} onChange={(e) => setAmount(e.target.value)} required />
          </label>
          <label>
            조리 시간 (분)
            <input type="number" min={0} max={180} value={cooking} onChange={(e) => setCooking(e.target.value)} required />
          </label>
          <fieldset>
            <legend>결제</legend>
            {(Object.keys(PAYMENT_LABEL) as Payment[]).map((method) => (
              <label key={method} className="check">
                <input type="radio" name="payment" value={method} checked={payment === method} onChange={() => setPayment(method)} /> {PAYMENT_LABEL[method]}
              </label>
            ))}
            {payment !== 'prepaid' && (
              <label>
                받을 금액 (원)
                <input type="number" min={0} step={1} value={collect} placeholder={amount} onChange={(e) => setCollect(e.target.value)} />
                <span className="muted">비우면 주문 금액 {amount ? won(Number(amount)) : ''}</span>
              </label>
            )}
          </fieldset>
          <label>
            요청 사항
            <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} rows={2} />
          </label>
          <button type="submit" disabled={busy}>
            {busy ? '접수 중…' : '주문 접수'}
          </button>
          <ErrorLine text={error} />
        </div>
      </form>
    </section>
  );
}

/** A map with the drop-off pin, which the operator drags (or clicks to place) when the address was placed wrong. */
function PinMap({ point, fallbackCentre, onMoved }: { point: LngLat | null; fallbackCentre: LngLat | null; onMoved: (point: LngLat) => void }) {
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const marker = useRef<L.Marker | null>(null);
  const moved = useRef(onMoved);
  moved.current = onMoved;
  const [tiles, setTiles] = useState<{ tileUrl: string; attribution: string } | null>(null);
  const [tilesFailed, setTilesFailed] = useState(false);

  useEffect(() => {
    void fetch('/v1/dashboard-config')
      .then((r) => (r.ok ? r.json() : null))
      .then((config: { map: { tileUrl: string; attribution: string } } | null) => config && setTiles(config.map))
      .catch(() => setTilesFailed(true));
  }, []);

  useEffect(() => {
    const m = L.map(container.current!, STILL).setView([37.5665, 126.978], 15);
    m.on('click', (e: L.LeafletMouseEvent) => moved.current({ lng: e.latlng.lng, lat: e.latlng.lat }));
    map.current = m;
    return () => {
      m.stop();
      m.remove();
      map.current = null;
      marker.current = null;
    };
  }, []);

  useEffect(() => {
    if (!tiles || !map.current) return;
    let loaded = 0;
    const layer = L.tileLayer(tiles.tileUrl, { attribution: tiles.attribution, maxZoom: 19 })
      .on('tileload', () => loaded++)
      .on('tileerror', () => loaded || setTilesFailed(true))
      .addTo(map.current);
    return () => void layer.remove();
  }, [tiles]);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    if (!point) {
      marker.current?.remove();
      marker.current = null;
      if (fallbackCentre) m.setView([fallbackCentre.lat, fallbackCentre.lng], 15, { animate: false });
      return;
    }
    const at: L.LatLngTuple = [point.lat, point.lng];
    if (!marker.current) {
      marker.current = L.marker(at, { draggable: true, title: '도착 위치 (끌어서 옮기기)', icon: L.divIcon({ className: 'tile-marker drop-pin', iconSize: [18, 18] }) }).addTo(m);
      marker.current.on('dragend', () => {
        const p = marker.current!.getLatLng();
        moved.current({ lng: p.lng, lat: p.lat });
      });
    } else if (!marker.current.getLatLng().equals(at)) marker.current.setLatLng(at);
    if (!m.getBounds().contains(at)) m.setView(at, Math.max(m.getZoom(), 15), { animate: false });
  }, [point, fallbackCentre]);

  return (
    <div>
      <div ref={container} className="pin-map" role="region" aria-label="도착 위치 지도" />
      {tilesFailed && (
        <p className="muted" role="status">
          지도 타일을 불러오지 못했습니다: 배경 없이 핀을 옮길 수 있습니다
        </p>
      )}
    </div>
  );
}
