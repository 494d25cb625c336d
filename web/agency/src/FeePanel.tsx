import { useCallback, useEffect, useState } from 'react';
import { ApiError, describeError, type AgencyApi } from './api';
import { TariffEditor } from './TariffEditor';
import type { TariffView } from './types';
import { WeatherSwitch } from './WeatherSwitch';

/**
 * The tariff and the weather switch, through dispatch's tariff routes (fee keeps the tariff); every role reads it,
 * owners change it. Fee down shows as such, with a retry.
 */
export function FeePanel({ api }: { api: AgencyApi }) {
  const [view, setView] = useState<TariffView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const canChange = api.session.role === 'owner';

  const load = useCallback(async () => {
    try {
      setView(await api.dispatch<TariffView>('GET', '/tariff'));
      setProblem(null);
    } catch (e) {
      setProblem(e instanceof ApiError && e.feeUnavailable ? '요금 서비스 응답 없음' : describeError(e));
    }
  }, [api]);

  useEffect(() => void load(), [load]);

  if (!view) {
    return (
      <section aria-label="요금표">
        <h2>요금표</h2>
        {problem ? (
          <p className="badge warn" role="alert">
            {problem}{' '}
            <button type="button" onClick={() => void load()}>
              다시 시도
            </button>
          </p>
        ) : (
          <p>불러오는 중…</p>
        )}
      </section>
    );
  }
  return (
    <>
      <WeatherSwitch api={api} view={view} canChange={canChange} onChanged={setView} />
      <TariffEditor api={api} view={view} canChange={canChange} onSaved={setView} />
    </>
  );
}
