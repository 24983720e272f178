/** Where MLflow's UI is and how its iframe is sandboxed (no JupyterLab imports: jest
 * tests it directly). */
import { hubBase } from '../request';

/** The hub's base URL + services/mlflow/ (the slash matters: MLflow's UI uses relative
 * paths). */
export function mlflowUrl(base: string = hubBase()): string {
  return `${base.replace(/\/?$/, '/')}services/mlflow/`;
}

/** What MLflow's UI needs: its scripts, its own origin's cookies and storage, its forms,
 * downloads of artifacts, links it opens in new tabs, its confirm dialogs. Not the top
 * window's navigation. */
export const SANDBOX = [
  'allow-scripts',
  'allow-same-origin',
  'allow-forms',
  'allow-downloads',
  'allow-popups',
  'allow-modals'
] as const;
