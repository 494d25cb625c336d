import { useState, type FormEvent } from 'react';
import { AgencyApi, describeError, signInOperator, type Session } from './api';
import { ErrorLine } from './ErrorLine';

/** An operator signs in with their own account; a machine-style sign-in with the agency API key stays beside it. */
export function SignIn({ onSignedIn, notice }: { onSignedIn: (session: Session) => void; notice: string | null }) {
  return (
    <main className="signin">
      <h1>배차 관제 로그인</h1>
      {notice && (
        <p className="badge warn" role="status">
          {notice}
        </p>
      )}
      <OperatorSignIn onSignedIn={onSignedIn} />
      <KeySignIn onSignedIn={onSignedIn} />
    </main>
  );
}

function useSubmit(run: () => Promise<Session>, onSignedIn: (session: Session) => void) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await run());
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
}

function OperatorSignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, submit } = useSubmit(() => signInOperator(email.trim(), password), onSignedIn);
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="운영자 로그인">
      <label>
        이메일
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="username" />
      </label>
      <label>
        비밀번호
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="current-password" />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? '확인 중…' : '로그인'}
      </button>
      <ErrorLine text={error} />
    </form>
  );
}

function KeySignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [agencyId, setAgencyId] = useState('');
  const [apiKey, setApiKey] = useState('');
  const { error, busy, submit } = useSubmit(async () => {
    const session: Session = { agencyId: agencyId.trim(), kind: 'key', token: apiKey.trim(), role: 'owner', who: null };
    // The key is checked by asking for something only the agency may read.
    await new AgencyApi(session).dispatch('GET', '/riders');
    return session;
  }, onSignedIn);
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="대행사 공용 키로 로그인" className="key-signin">
      <h2>API 키로 로그인 (대행사 공용)</h2>
      <label>
        대행사 ID
        <input value={agencyId} onChange={(e) => setAgencyId(e.target.value)} required spellCheck={false} />
      </label>
      <label>
        API 키
        <input type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} required autoComplete="off" />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? '확인 중…' : 'API 키로 로그인'}
      </button>
      <ErrorLine text={error} />
      <p className="muted">로그인 정보는 이 탭에만 보관되며 탭을 닫으면 지워집니다.</p>
    </form>
  );
}
