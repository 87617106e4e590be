// Renders the app (loaded by the entry, main.tsx) once the first page's chunk is
// there: rendered before, the page would suspend, and React holds back the
// reveal of suspended content (~300 ms) after showing the fallback.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

export function boot(firstPage: Promise<unknown>): void {
  const render = () =>
    createRoot(document.getElementById('root')!).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  // A chunk that failed to load is tried again lazily (App's Suspense).
  void firstPage.then(render, render);
}
