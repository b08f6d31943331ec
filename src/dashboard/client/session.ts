// The key lives in sessionStorage only: it survives a reload but not closing
// the tab, and is never written anywhere persistent.

const STORAGE_KEY = "t2l.dashboard.apiKey";
const NOTICE_KEY = "t2l.dashboard.notice";

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

/** A message for the next page load (why the session ended); never a secret. */
export function leaveNotice(message: string): void {
  try {
    sessionStorage.setItem(NOTICE_KEY, message);
  } catch {
    // Storage disabled: the reason is lost, the sign-out still happens.
  }
}

/** The message left by the previous page load, once. */
export function takeNotice(): string | null {
  try {
    const message = sessionStorage.getItem(NOTICE_KEY);
    sessionStorage.removeItem(NOTICE_KEY);
    return message;
  } catch {
    return null;
  }
}

/** The key's public prefix, by which the key list and the header name it. */
export function keyPrefix(key: string): string {
  return key.slice(0, PREFIX_LENGTH);
}
