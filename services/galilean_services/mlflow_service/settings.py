"""The MLflow service's settings group (section "mlflow" of stack.env.example): the hub's
`Settings` composes it, the gateway reads it from the environment the hub gives it."""

from __future__ import annotations

import sys
from pathlib import Path

from traitlets import Bool, Int, Unicode

from ..kit.settings import SettingsGroup, env

# MLflow's bootstrap admin, which only the gateway acts as (sharing with a hub group): a
# hub user of this name is refused (mlflow_service/policy.py).
SERVICE_USER = "_galilean_gateway"


class MlflowSettings(SettingsGroup):
    mlflow_enabled = Bool(
        True,
        help="Run MLflow at /services/mlflow/ behind the hub login (about 475 MB of memory "
        "and 7-20 s to start on 2 cores, bench/results/mlflow.md). false: no MLflow service.",
    ).tag(**env("GALILEAN_MLFLOW_ENABLED", "mlflow"))
    mlflow_port = Int(
        8084, help="Port of the MLflow gateway (behind the proxy at /services/mlflow)."
    ).tag(**env("GALILEAN_MLFLOW_PORT", "mlflow"))
    mlflow_db_url = Unicode(
        "",
        help="SQLAlchemy URL of MLflow's database (experiments, runs, models and who may "
        "see them). Empty: a database named mlflow on the hub's PostgreSQL when "
        "GALILEAN_DB_URL is PostgreSQL (created at start), else mlflow.sqlite in the data "
        "folder. Never the hub's own database: their tables clash.",
    ).tag(**env("GALILEAN_MLFLOW_DB_URL", "mlflow", secret=True))
    mlflow_artifacts_dir = Unicode(
        "",
        help="Where MLflow keeps artifacts (models, files logged by runs): a folder, or "
        "s3://bucket/prefix for S3 or an S3-compatible store (MinIO), whose keys are the "
        "hub's secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Secrets panel, Hub "
        "secrets: never given to users). Empty: mlflow-artifacts in the data folder.",
    ).tag(**env("GALILEAN_MLFLOW_ARTIFACTS_DIR", "mlflow"))
    mlflow_s3_endpoint_url = Unicode(
        "",
        help="With artifacts in s3://…: the store's URL when it is not Amazon's (MinIO: "
        "http://minio:9000).",
    ).tag(**env("GALILEAN_MLFLOW_S3_ENDPOINT_URL", "mlflow"))
    mlflow_admin_group = Unicode(
        "mlflow-admins",
        help="Members of this hub group are MLflow admins (see and manage every experiment "
        "and model, give hub groups access). Empty: nobody.",
    ).tag(**env("GALILEAN_MLFLOW_ADMIN_GROUP", "mlflow"))
    mlflow_workers = Int(1, help="MLflow server worker processes (each about 250 MB).").tag(
        **env("GALILEAN_MLFLOW_WORKERS", "mlflow")
    )
    mlflow_home = Unicode(
        "",
        help="MLflow's Python environment (it has its own: its pins clash with the hub's). "
        "Empty: the 'mlflow' folder inside the hub's environment (make install and the "
        "hub image put it there).",
    ).tag(**env("GALILEAN_MLFLOW_HOME", "mlflow"))
    mlflow_start_timeout = Int(
        180, help="Seconds MLflow may take to start before the gateway gives up."
    ).tag(**env("GALILEAN_MLFLOW_START_TIMEOUT", "mlflow"))

    def mlflow_environment(self) -> Path:
        return Path(self.mlflow_home) if self.mlflow_home else Path(sys.prefix) / "mlflow"

    def mlflow_database_url(self, hub_db_url: str, data: Path) -> str:
        if self.mlflow_db_url:
            return self.mlflow_db_url
        if hub_db_url.startswith("postgresql"):
            from sqlalchemy.engine import make_url

            url = make_url(hub_db_url).set(database="mlflow", drivername="postgresql+psycopg")
            return url.render_as_string(hide_password=False)
        return f"sqlite:///{data / 'mlflow.sqlite'}"

    def mlflow_artifacts_path(self, data: Path) -> str:
        """A folder's path or an s3:// URI."""
        return self.mlflow_artifacts_dir or str(data / "mlflow-artifacts")
