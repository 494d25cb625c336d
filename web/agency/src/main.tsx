import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

// Placeholder until the agency dashboard lands here.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <main>
      <h1>배차 관제</h1>
      <p>준비 중입니다.</p>
    </main>
  </StrictMode>,
);
