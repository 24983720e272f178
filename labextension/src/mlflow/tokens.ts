export enum CommandIDs {
  /** Opens MLflow's UI (the hub's /services/mlflow/) in a JupyterLab tab. */
  open = 'galilean:open-mlflow'
}
