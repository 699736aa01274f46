import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app/App.js';
import { startApp } from './app/session.js';
import { registerServiceWorker } from './offline/register.js';
import './ui/tokens.css';
import './styles.css';
import './features/feed/posts.css';

// zod compiles object parsers with `new Function` unless told not to; the CSP forbids eval, so we say
// so up front instead of letting it probe (and log a violation) on the first parse.
z.config({ jitless: true });

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void startApp();
registerServiceWorker();
