import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import './rider.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// The app shell comes from the service worker's cache, so the app opens (with the jobs kept on the device) with no network.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/rider/sw.js', { scope: '/rider/' }).catch((error: unknown) => console.warn('service worker not registered', error));
  });
}
