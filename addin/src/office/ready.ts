// Waiting for Office.js. Outlook resolves Office.onReady with its host; a plain browser resolves it
// with host null. When office.js could not load at all (offline, a test that blocks the internet)
// there is no `Office` global: start at once. A timeout guards against an onReady that never settles.
export interface OfficeInfo {
  /** e.g. Office.HostType.Outlook; null outside Office. */
  host: Office.HostType | null;
  platform: Office.PlatformType | null;
}

const OUTSIDE_OFFICE: OfficeInfo = { host: null, platform: null };

function officeGlobal(): typeof Office | undefined {
  return (globalThis as { Office?: typeof Office }).Office;
}

export function waitForOffice(timeoutMs = 3000): Promise<OfficeInfo> {
  const office = officeGlobal();
  if (typeof office?.onReady !== 'function') return Promise.resolve(OUTSIDE_OFFICE);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(OUTSIDE_OFFICE), timeoutMs);
    office.onReady().then(
      (info) => { clearTimeout(timer); resolve({ host: info?.host ?? null, platform: info?.platform ?? null }); },
      () => { clearTimeout(timer); resolve(OUTSIDE_OFFICE); },
    );
  });
}

/** Outlook's display language (e.g. "da-DK"), or null outside Office. */
export function officeDisplayLanguage(): string | null {
  try {
    const lang = officeGlobal()?.context?.displayLanguage;
    return typeof lang === 'string' && lang ? lang : null;
  } catch {
    return null;
  }
}
