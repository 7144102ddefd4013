import { Annotations } from "cdktf";
import { IConstruct } from "constructs";

/** What a masked part of a value reads as. */
export const MASK = "***";

/** Query and DSN keys whose value is a secret (`password=…`, `api_key=…`). */
const SECRET_KEYS = /\b(password|passwd|pass|pwd|token|secret|api[_-]?key|access[_-]?key|auth)=([^\s&"'`;,)]+)/gi;

/**
 * A user name alone (no password) is kept: `ssh://deploy@host` says who logs in. One long enough to be
 * a token (`https://ghp_…@github.com`) is masked, since a token in that place is the credential.
 */
function maskUserInfo(info: string): string {
  const colon = info.indexOf(":");
  if (colon < 0) return info.length >= 16 ? MASK : info;
  return `${info.slice(0, colon)}:${MASK}`;
}

/**
 * The text with every secret-looking part of a value masked, so that an error, warning or note never
 * echoes a credential into a terminal, a CI log or `cdktf.out`'s manifest:
 * - URL user info: `redis://:S3cretPass@cache:6379` → `redis://:***@cache:6379`,
 *   `https://user:pw@host/` → `https://user:***@host/`;
 * - a DSN's `user:password@host` without a scheme → `user:***@host`;
 * - `password=…`, `token=…`, `api_key=…` (and the like) → `password=***`.
 */
export function maskSecrets(text: string): string {
  return (
    text
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@"'`]*)@/gi, (_m, scheme: string, info: string) => `${scheme}${maskUserInfo(info)}@`)
      .replace(
        /(^|[\s"'`(=,[])([^\s:/@"'`]*):([^\s/@"'`]+)@(?=[A-Za-z0-9[])/g,
        (m, pre: string, user: string, password: string) => (password === MASK ? m : `${pre}${user}:${MASK}@`),
      )
      .replace(SECRET_KEYS, (_m, key: string) => `${key}=${MASK}`)
  );
}

/** True when a URL (or `host` form) carries a password or token in its user info. */
export function hasUserInfoSecret(value: string): boolean {
  return maskSecrets(value) !== value;
}

/** A synth warning, masked: the only way the stack adds one (a test checks no other caller exists). */
export function warn(scope: IConstruct, message: string): void {
  Annotations.of(scope).addWarning(maskSecrets(message));
}

/** A synth note, masked. */
export function note(scope: IConstruct, message: string): void {
  Annotations.of(scope).addInfo(maskSecrets(message));
}
