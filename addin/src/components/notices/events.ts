// The admin page tells the banner that notices changed, so a new one shows without waiting for the
// next poll. A DOM event keeps the (lazily loaded) admin chunk and the banner apart.
export const NOTICES_CHANGED = 'brevdue:notices-changed';

export function announceNoticesChanged(): void {
  window.dispatchEvent(new Event(NOTICES_CHANGED));
}
