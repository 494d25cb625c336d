import { useState, type FormEvent } from 'react';

/** The rider's token (`rt_…`), given once by the agency; kept on this device only. */
export function SignIn({ onSignIn, refused }: { onSignIn: (token: string) => void; refused: boolean }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(refused ? '토큰이 올바르지 않습니다. 관제에 확인해 주세요.' : null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (!value.startsWith('rt_')) return setProblem('라이더 토큰은 rt_ 로 시작합니다.');
    onSignIn(value);
  };
  return (
    <main className="sign-in">
      <h1>배차 라이더</h1>
      <p>관제에서 받은 라이더 토큰으로 로그인하세요.</p>
      <form onSubmit={submit}>
        <label htmlFor="rider-token">라이더 토큰</label>
        <input
          id="rider-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          placeholder="rt_…"
        />
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary">
          로그인
        </button>
      </form>
    </main>
  );
}
