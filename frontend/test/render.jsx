import React from 'react';
import { render } from '@testing-library/react';
import { mergeConfig } from '@edx/frontend-platform';
import { IntlProvider } from '@edx/frontend-platform/i18n';
import { DIRECT_PLUGIN, PLUGIN_OPERATIONS } from '@openedx/frontend-plugin-framework';

import * as catalogWidgets from '../src/catalog';
import * as dashboardWidgets from '../src/learner-dashboard';
import { pluginSlotsFor } from '../src/envConfig';

const WIDGETS = { catalog: catalogWidgets, 'learner-dashboard': dashboardWidgets };

/** The env.config of one MFE as the Tutor plugin writes it, plus extra slot config (e.g. a theme's). */
export function useEnvConfig(app, extra = {}) {
  const { pluginSlots } = pluginSlotsFor(app, WIDGETS[app], { DIRECT_PLUGIN, PLUGIN_OPERATIONS });
  Object.entries(extra).forEach(([slot, plugins]) => {
    const existing = pluginSlots[slot] || { keepDefault: true, plugins: [] };
    // A theme's items come before ours (Tutor renders riseup_stripe's items with a low priority).
    pluginSlots[slot] = { ...existing, plugins: [...plugins, ...existing.plugins] };
  });
  mergeConfig({ pluginSlots });
  return pluginSlots;
}

/** Render inside the MFE's own IntlProvider, which knows nothing of the widgets' messages. */
export function renderInMfe(ui, { locale = 'en' } = {}) {
  const MfeProviders = ({ children }) => <IntlProvider locale={locale} messages={{}}>{children}</IntlProvider>;
  return render(ui, { wrapper: MfeProviders });
}

export const FPF = { DIRECT_PLUGIN, PLUGIN_OPERATIONS };

/** Text with the non-breaking spaces of Intl output made plain. */
export const plain = (text) => String(text).replace(/[\u00a0\u202f]/g, ' ');
