"""Stage logic: plain functions over typed records. Imports schemas/ only; never Prefect."""
