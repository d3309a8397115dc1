/** The admin key lives in sessionStorage only: never in a URL, a cookie or a log. */
const KEY = 'provisio.adminKey';

export function getKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function clearKey(): void {
  sessionStorage.removeItem(KEY);
}
