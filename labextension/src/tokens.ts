/**
 * Names every feature shares. A feature's own command ids and tokens live in its
 * folder's tokens.ts; another feature imports that file only, never its other modules.
 */

/** The launcher section every Galilean feature adds its cards to. */
export const LAUNCHER_CATEGORY = 'Galilean';

/** One feature as the server extension reports it. */
export interface IFeatureStatus {
  name: string;
  title: string;
  available: boolean;
  reason: string;
}

/** The answer of GET /galilean/status. */
export interface IPlatformStatus {
  ok: boolean;
  name: string;
  version: string;
  mode: string;
  features: IFeatureStatus[];
  /** A shared workspace's server: none of the owner's rights (no publishing). */
  shared?: boolean;
}
