/**
 * Choosing the release the end-to-end deploy runs when the pinned one cannot be built here: the nearest
 * release of the same program that can (a newer or older Go module version, or Debian's build), never a
 * different program. Pure functions: unit-tested in test/e2e/releases.test.ts.
 */

/** A release number as its users know it: `2.21.0`, `v0.20.1`, `1.45.0`. */
export type Release = readonly [major: number, minor: number, patch: number];

/** `v0.20.1` or `0.20.1` → [0, 20, 1]; a missing minor or patch is 0. Throws on anything else. */
export function parseRelease(text: string): Release {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a release number (major[.minor[.patch]], optionally with a leading "v")`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/**
 * How far `b` is from `a`, for ordering: the major difference first, then the minor, then the patch
 * (2.20.0 is nearer to 2.21.0 than 2.12.9 is; 3.0.0 is further than any 2.x).
 */
export function releaseDistance(a: string, b: string): readonly [number, number, number] {
  const [x, y] = [parseRelease(a), parseRelease(b)];
  return [Math.abs(x[0] - y[0]), Math.abs(x[1] - y[1]), Math.abs(x[2] - y[2])];
}

/** A release that could be deployed instead of the pin, and what stops it if anything. */
export interface ReleaseCandidate<S = unknown> {
  /** The upstream release it is (`2.12.0`). */
  readonly release: string;
  /** Where it comes from (a Go program, a Debian package); absent when refused. */
  readonly source?: S;
  /** Why it cannot be had here; absent when it can. */
  readonly refused?: string;
}

/** What {@link nearestRelease} chose. */
export interface NearestChoice<S> {
  readonly chosen: ReleaseCandidate<S> & { readonly source: S };
  /** Why the pin itself is not deployed: its candidate's refusal, or that no candidate is the pin. */
  readonly pinRefused: string;
}

/**
 * The candidate nearest to `pin` (by {@link releaseDistance}) that is not refused; on equal distance the
 * newer one (closer to what users run). Undefined when the pin itself can be had (deploy the pin) or
 * when nothing can (the service is not deployed).
 */
export function nearestRelease<S>(pin: string, candidates: readonly ReleaseCandidate<S>[]): NearestChoice<S> | undefined {
  const same = (c: ReleaseCandidate<S>) => releaseDistance(pin, c.release).every((d) => d === 0);
  const pinned = candidates.find(same);
  if (pinned && pinned.refused === undefined && pinned.source !== undefined) return undefined;
  const usable = candidates.filter((c): c is ReleaseCandidate<S> & { source: S } => c.refused === undefined && c.source !== undefined);
  const cmp = (a: ReleaseCandidate<S>, b: ReleaseCandidate<S>): number => {
    const [da, db] = [releaseDistance(pin, a.release), releaseDistance(pin, b.release)];
    for (let i = 0; i < 3; i++) if (da[i] !== db[i]) return da[i] - db[i];
    // Equally far: the newer release.
    const [ra, rb] = [parseRelease(a.release), parseRelease(b.release)];
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
    return 0;
  };
  const [chosen] = [...usable].sort(cmp);
  if (!chosen) return undefined;
  return { chosen, pinRefused: pinned?.refused ?? `no candidate is the pinned release ${pin}` };
}
