"""The dbt project as Dagster sees it: built once; the manifest comes from `make manifest` (dbt parse), never at import."""
from __future__ import annotations

from functools import cache

from dagster_dbt import DbtProject

from edukpi.settings import DBT_PROJECT_DIR


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if not project.manifest_path.exists():
        raise FileNotFoundError(
            f"{project.manifest_path} is missing: run `make manifest` (dbt parse) before loading the Dagster definitions."
        )
    return project
