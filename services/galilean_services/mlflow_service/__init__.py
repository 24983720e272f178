"""The MLflow service: a gateway on the service kit (hub login, same-origin checks, header
hygiene) in front of MLflow's own server, which it starts in MLflow's environment and
which does the permissions through its basic-auth app (mlflow_plugin/)."""
