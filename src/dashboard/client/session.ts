// The key lives in sessionStorage only: it survives a reload but not closing
// the tab, and is never written anywhere persistent.

const STORAGE_KEY = "t2l.dashboard.apiKey";

export function loadKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function saveKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Storage disabled: the session lasts until reload.
  }
}

export function clearKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}

// `t2l_sk_` plus six characters: the same prefix the key list shows for each key.
const PREFIX_LENGTH = 13;

/** The key's public prefix, by which the key list and the header name it. */
export function keyPrefix(key: string): string {
  return key.slice(0, PREFIX_LENGTH);
}
