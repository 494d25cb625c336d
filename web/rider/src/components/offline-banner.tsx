/** While the app has no connection: that it is offline, what waits to be sent, and that no offer can come. */
export function OfflineBanner({ network, waiting, confirmedAt }: { network: boolean; waiting: number; confirmedAt: string | null }) {
  return (
    <section className="offline-banner" role="alert" aria-label="오프라인">
      <strong>{network ? '서버에 연결할 수 없습니다 (오프라인)' : '오프라인: 네트워크가 없습니다'}</strong>
      <p aria-label="전송 대기">{waiting > 0 ? `보고 ${waiting}건이 전송을 기다립니다. 연결되면 순서대로 보냅니다.` : '전송을 기다리는 보고가 없습니다.'}</p>
      <p>연결될 때까지 새 배차를 받을 수 없습니다. 픽업·배달 보고는 지금도 됩니다.</p>
      {confirmedAt && <p aria-label="마지막 확인">배달 목록 마지막 확인: {new Date(confirmedAt).toLocaleTimeString('ko-KR')}</p>}
    </section>
  );
}
