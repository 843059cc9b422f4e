// Entry point: wait for Office (or give up on it quickly outside Outlook), set up the language, mount.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { initI18n } from './i18n';
import { waitForOffice } from './office/ready';

async function start(): Promise<void> {
  const office = await waitForOffice();
  await initI18n();
  const container = document.getElementById('root');
  if (!container) throw new Error('#root is missing from taskpane.html');
  createRoot(container).render(
    <StrictMode>
      <App office={office} />
    </StrictMode>,
  );
}

start().catch((e: unknown) => {
  // Nothing rendered: say so in plain text rather than leave the pane blank.
  console.error('Brevdue task pane failed to start', e);
  const root = document.getElementById('root');
  if (root) root.textContent = `Brevdue kunne ikke starte / Brevdue could not start: ${e instanceof Error ? e.message : String(e)}`;
});
