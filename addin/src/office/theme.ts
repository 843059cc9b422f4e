// Which Fluent theme follows the host: Outlook's Office theme when there is one (its body background
// says light or dark), Windows' high-contrast mode through forced-colors, and in a plain browser the
// system's colour scheme. Pure `pickTheme` for tests; `useHostTheme` watches for changes.
import { teamsHighContrastTheme, webDarkTheme, webLightTheme, type Theme } from '@fluentui/react-components';
import { useEffect, useState } from 'react';

export type ThemeKind = 'light' | 'dark' | 'highContrast';

export interface ThemeSignals {
  /** Office.context.officeTheme.bodyBackgroundColor (e.g. "#1f1f1f"), when Outlook gives one. */
  officeBackground?: string | null;
  forcedColors: boolean;
  prefersDark: boolean;
}

/** Relative luminance below ½ is a dark background. */
function isDarkColor(hex: string): boolean | null {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  const n = parseInt(m[1], 16);
  const lin = (c: number) => { const v = c / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const l = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return l < 0.5;
}

export function pickTheme(s: ThemeSignals): ThemeKind {
  if (s.forcedColors) return 'highContrast';
  const office = s.officeBackground ? isDarkColor(s.officeBackground) : null;
  if (office !== null) return office ? 'dark' : 'light';
  return s.prefersDark ? 'dark' : 'light';
}

export const THEMES: Record<ThemeKind, Theme> = { light: webLightTheme, dark: webDarkTheme, highContrast: teamsHighContrastTheme };

function signals(): ThemeSignals {
  const office = (globalThis as { Office?: typeof Office }).Office;
  let officeBackground: string | null = null;
  try { officeBackground = office?.context?.officeTheme?.bodyBackgroundColor ?? null; } catch { /* not in Office */ }
  const mq = (q: string) => typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia(q).matches;
  return { officeBackground, forcedColors: mq('(forced-colors: active)'), prefersDark: mq('(prefers-color-scheme: dark)') };
}

export function useHostTheme(): { kind: ThemeKind; theme: Theme } {
  const [kind, setKind] = useState<ThemeKind>(() => pickTheme(signals()));
  useEffect(() => {
    const update = () => setKind(pickTheme(signals()));
    const queries = ['(forced-colors: active)', '(prefers-color-scheme: dark)'].map((q) => window.matchMedia?.(q)).filter(Boolean) as MediaQueryList[];
    for (const q of queries) q.addEventListener('change', update);
    // Outlook (where supported) says when the user switches the Office theme.
    const office = (globalThis as { Office?: typeof Office }).Office;
    try {
      const themeChanged = (office?.EventType as unknown as Record<string, Office.EventType> | undefined)?.OfficeThemeChanged;
      if (themeChanged) office?.context?.mailbox?.addHandlerAsync?.(themeChanged, update);
    } catch { /* not supported by this host */ }
    return () => { for (const q of queries) q.removeEventListener('change', update); };
  }, []);
  // The page behind the pane (taskpane.html paints it white before React starts) follows too.
  useEffect(() => { document.body.style.backgroundColor = THEMES[kind].colorNeutralBackground1; }, [kind]);
  return { kind, theme: THEMES[kind] };
}
