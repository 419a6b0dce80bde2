/**
 * The pluginSlots configuration of slots.json, built the way the Tutor plugin
 * writes it into env.config.jsx (one addPlugins() per slot, keepDefault true).
 * Used by the tests and the harness; the Tutor plugin renders the same objects.
 */
import slots from './slots.json';

export function pluginsFor(entry, widgets, { DIRECT_PLUGIN, PLUGIN_OPERATIONS }) {
  const widget = widgets[entry.widget];
  if (!widget) { throw new Error(`No widget ${entry.widget}`); }
  if (entry.op === 'wrap') {
    return entry.targets.map((widgetId) => ({ op: PLUGIN_OPERATIONS.Wrap, widgetId, wrapper: widget }));
  }
  return [{
    op: PLUGIN_OPERATIONS.Insert,
    widget: {
      id: entry.id, priority: entry.priority, type: DIRECT_PLUGIN, RenderWidget: widget,
    },
  }];
}

/** {pluginSlots: {...}} for one MFE ("catalog" or "learner-dashboard"). */
export function pluginSlotsFor(app, widgets, fpf) {
  const pluginSlots = {};
  slots.apps[app].slots.forEach((entry) => {
    if (!pluginSlots[entry.slot]) { pluginSlots[entry.slot] = { keepDefault: true, plugins: [] }; }
    pluginSlots[entry.slot].plugins.push(...pluginsFor(entry, widgets, fpf));
  });
  return { pluginSlots };
}

export const SLOTS = slots;
