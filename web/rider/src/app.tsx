import { useState } from 'react';
import { RiderScreen } from './components/rider-screen';
import { SignIn } from './components/sign-in';

const TOKEN_KEY = 'baecha.rider.token';

export function App() {
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(TOKEN_KEY));
  const [refused, setRefused] = useState(false);
  if (!token) {
    return (
      <SignIn
        refused={refused}
        onSignIn={(value) => {
          localStorage.setItem(TOKEN_KEY, value);
          setRefused(false);
          setToken(value);
        }}
      />
    );
  }
  return (
    <RiderScreen
      token={token}
      onSignOut={(wasRefused) => {
        localStorage.removeItem(TOKEN_KEY);
        setRefused(wasRefused);
        setToken(null);
      }}
    />
  );
}
