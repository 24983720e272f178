/**
 * Command ids and shared names of the Galilean labextension.
 * Each feature area adds its commands here so ids never collide.
 */
export namespace CommandIDs {
  export const openAbout = 'galilean:open-about';
  export const openWorkspaces = 'galilean:open-workspaces';
  export const toggleSqlCell = 'galilean:toggle-sql-cell';
  export const openSchemaBrowser = 'galilean:open-schema-browser';
}

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
}
