// The pane's theme follows the host: Outlook's Office theme, high contrast, else the system scheme.
import { THEMES, pickTheme } from '../../addin/src/office/theme';

describe('pickTheme', () => {
  test('Outlook dark and light Office themes', () => {
    expect(pickTheme({ officeBackground: '#1f1f1f', forcedColors: false, prefersDark: false })).toBe('dark');
    expect(pickTheme({ officeBackground: '#ffffff', forcedColors: false, prefersDark: true })).toBe('light');
    expect(pickTheme({ officeBackground: '#262626', forcedColors: false, prefersDark: false })).toBe('dark');
  });
  test('high contrast wins over everything', () => {
    expect(pickTheme({ officeBackground: '#ffffff', forcedColors: true, prefersDark: false })).toBe('highContrast');
  });
  test('outside Office (or an unreadable colour) the system scheme decides', () => {
    expect(pickTheme({ officeBackground: null, forcedColors: false, prefersDark: true })).toBe('dark');
    expect(pickTheme({ officeBackground: 'black', forcedColors: false, prefersDark: false })).toBe('light');
  });
  test('each kind maps to a different Fluent theme', () => {
    expect(new Set(Object.values(THEMES).map((t) => t.colorNeutralBackground1)).size).toBe(3);
  });
});
