"""Glue ETL job (design section 7): business_partners from PostgreSQL to the data lake as
Parquet: the day's raw snapshot under ``raw/rds-exports/year=/month=/day=/`` and the
curated table under ``curated/business_partners/``.

Each run is a full export that replaces the table's prefix
``curated/business_partners/`` (Spark's static overwrite), so a run's result depends on
the source alone: a row changed since the last run is written once, in the partition of
its ``created_date``; a deleted row disappears. The design's bookmarks on ``updated_at``
appended changed rows into their partition again (Glue also requires a custom bookmark
key to be strictly increasing, which ``updated_at`` is not), so they are off. The table
is small (§7), so reading it whole each night costs little.

The raw snapshot is the table as read (every column, before the quality checks, so a
run that fails them leaves the evidence), in the folder of the run's UTC day, zero-padded
as §7 lays it out; a second run on the same day replaces that day's snapshot only.

The transformation is plain Python (``curate_row``, ``check_ids``, ``curate``) so it runs
and is tested without Spark or awsglue, which only ``main`` imports.

Corrected from the design: the credentials are read from Secrets Manager at run time.
A "{{resolve:secretsmanager:...}}" string is a CloudFormation dynamic reference, which
CloudFormation resolves in templates only; inside a script it stays a literal string.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

SOURCE_TABLE = "business_partners"
# Below the bucket: one folder per day of export (§7 raw/rds-exports/).
RAW_EXPORTS_PREFIX = "raw/rds-exports/"
# Below the bucket; the catalog table business_partners_curated points here.
CURATED_PREFIX = "curated/business_partners/"
# (source column, curated column), the design's apply_mapping.
COLUMNS = [
    ("id", "business_id"),
    ("user_id", "user_id"),
    ("company_name", "business_name"),
    ("status", "status"),
    ("created_at", "created_date"),
    ("updated_at", "last_modified"),
]
PARTITION_KEYS = ["year", "month", "day"]
# The curated row as Spark's DDL schema: the mapped columns, then the partition keys.
CURATED_SCHEMA = (
    "business_id string, user_id string, business_name string, status string, "
    "created_date timestamp, last_modified timestamp, year int, month int, day int"
)
# Spark's DataFrameWriter mode: replace everything under CURATED_PREFIX.
WRITE_MODE = "overwrite"


def curate_row(row: Mapping[str, Any]) -> tuple:
    """A source row as the curated row: the columns renamed, then year, month and day of
    ``created_at`` (the partition; it never changes when the row is updated)."""
    created: datetime = row["created_at"]
    return (*(row[source] for source, _ in COLUMNS), created.year, created.month, created.day)


def raw_export_prefix(run_time: datetime) -> str:
    """The folder of a run's raw snapshot: ``raw/rds-exports/year=2025/month=01/day=15/business_partners/``
    for a run on 15 January 2025 (UTC)."""
    day = run_time.astimezone(timezone.utc)
    return f"{RAW_EXPORTS_PREFIX}year={day.year:04d}/month={day.month:02d}/day={day.day:02d}/{SOURCE_TABLE}/"


def check_ids(ids: Iterable[Any]) -> None:
    """The design's data quality checks: no null and no duplicate ``id``."""
    counts = Counter(ids)
    nulls = counts.pop(None, 0)
    if nulls:
        raise ValueError(f"Found {nulls} null IDs in {SOURCE_TABLE}: fix the rows before the export runs again")
    duplicates = sorted(str(i) for i, n in counts.items() if n > 1)
    if duplicates:
        raise ValueError(f"Found duplicate IDs in {SOURCE_TABLE}: {', '.join(duplicates)}")


def partition_path(curated: tuple) -> str:
    """The object prefix of a curated row below CURATED_PREFIX, as Spark's partitionBy
    writes it (``year=2025/month=1/day=15/``, no zero padding)."""
    values = curated[-len(PARTITION_KEYS) :]
    return "".join(f"{key}={value}/" for key, value in zip(PARTITION_KEYS, values))


def curate(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[tuple]]:
    """The whole content of CURATED_PREFIX after a run over ``rows``: partition path →
    curated rows. A run writes this with WRITE_MODE, replacing what was there."""
    rows = list(rows)
    check_ids(row["id"] for row in rows)
    partitions: dict[str, list[tuple]] = {}
    for row in rows:
        curated = curate_row(row)
        partitions.setdefault(partition_path(curated), []).append(curated)
    return partitions


def main() -> None:
    """The Glue entry point: Spark and awsglue exist only inside a Glue job run."""
    import json
    import sys

    import boto3
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    args = getResolvedOptions(sys.argv, ["JOB_NAME", "DATABASE_URL", "S3_BUCKET", "RDS_SECRET_ID"])
    glue_context = GlueContext(SparkContext())
    spark = glue_context.spark_session
    # A static overwrite replaces the whole prefix; dynamic would keep partitions whose
    # rows were all deleted in the source.
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "static")
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)

    secret = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=args["RDS_SECRET_ID"])["SecretString"]
    )
    source = glue_context.create_dynamic_frame.from_options(
        connection_type="postgresql",
        connection_options={
            # The database refuses connections without TLS (rds.force_ssl).
            "url": args["DATABASE_URL"] + "?sslmode=require",
            "dbtable": SOURCE_TABLE,
            "user": secret["username"],
            "password": secret["password"],
        },
    ).toDF()

    raw = f"s3://{args['S3_BUCKET']}/{raw_export_prefix(datetime.now(timezone.utc))}"
    source.write.mode(WRITE_MODE).option("compression", "snappy").parquet(raw)
    check_ids(row["id"] for row in source.select("id").collect())
    curated = spark.createDataFrame(source.rdd.map(lambda row: curate_row(row.asDict())), schema=CURATED_SCHEMA)
    (
        curated.write.mode(WRITE_MODE)
        .partitionBy(*PARTITION_KEYS)
        .option("compression", "snappy")
        .parquet(f"s3://{args['S3_BUCKET']}/{CURATED_PREFIX}")
    )
    job.commit()


if __name__ == "__main__":
    main()
