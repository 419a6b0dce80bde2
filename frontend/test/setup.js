import '@testing-library/jest-dom/vitest';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { cleanup } from '@testing-library/react';

import { server } from './server';
import { configurePlatform, resetPage } from './platform';

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  configurePlatform();
});

afterEach(() => {
  cleanup();
  server.resetHandlers();
  resetPage();
});

afterAll(() => server.close());
