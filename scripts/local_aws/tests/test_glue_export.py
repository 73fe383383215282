"""The RDS-to-S3 Glue job (examples/glue/rds_to_s3.py) is idempotent per run: its
transformation runs here without Spark or awsglue, and the lake is modelled as Spark's
DataFrameWriter leaves a partitioned prefix in the job's write mode."""

import ast
import importlib.util
from datetime import datetime, timezone

import pytest

from conftest import REPO, golden_template

SCRIPT = REPO / "examples" / "glue" / "rds_to_s3.py"


def load_script():
    spec = importlib.util.spec_from_file_location("rds_to_s3", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # fails if the module imports awsglue or pyspark at the top
    return module


job = load_script()


def write(lake, partitions, mode):
    """What Spark leaves under the prefix after ``df.write.mode(mode).partitionBy(...)``
    (static partition overwrite): ``overwrite`` replaces the prefix, ``append`` adds files."""
    if mode == "overwrite":
        return {path: list(rows) for path, rows in partitions.items()}
    if mode == "append":
        merged = {path: list(rows) for path, rows in lake.items()}
        for path, rows in partitions.items():
            merged.setdefault(path, []).extend(rows)
        return merged
    raise AssertionError(f"unmodelled write mode {mode}")


def run(lake, source):
    return write(lake, job.curate(source), job.WRITE_MODE)


def partner(id, created, updated, status="active", name=None):
    return {
        "id": id,
        "user_id": f"user-{id}",
        "company_name": name or f"Company {id}",
        "status": status,
        "created_at": created,
        "updated_at": updated,
        "internal_note": "not exported",
    }


SOURCE = [
    partner("a", datetime(2025, 1, 15, 9, 30), datetime(2025, 1, 15, 9, 30)),
    partner("b", datetime(2025, 1, 15, 23, 59), datetime(2025, 2, 1, 8, 0)),
    partner("c", datetime(2025, 3, 2, 0, 0), datetime(2025, 3, 2, 0, 0), status="pending"),
]


def rows_by_id(lake):
    """business_id -> [(partition path, curated row)], over the whole prefix."""
    found = {}
    for path, rows in lake.items():
        for row in rows:
            found.setdefault(row[0], []).append((path, row))
    return found


def test_two_runs_with_a_changed_row_leave_each_row_once_in_its_created_date_partition():
    lake = run({}, SOURCE)
    changed = [dict(SOURCE[0]), *SOURCE[1:]]
    changed[0].update(status="inactive", company_name="Renamed", updated_at=datetime(2025, 4, 1, 12, 0))
    lake = run(lake, changed)

    found = rows_by_id(lake)
    assert sorted(found) == ["a", "b", "c"]
    assert all(len(places) == 1 for places in found.values()), found
    (path, row), = found["a"]
    assert path == "year=2025/month=1/day=15/"  # created_date's partition, not updated_at's
    assert row == ("a", "user-a", "Renamed", "inactive", datetime(2025, 1, 15, 9, 30), datetime(2025, 4, 1, 12, 0), 2025, 1, 15)
    assert found["b"][0][0] == "year=2025/month=1/day=15/"
    assert found["c"][0][0] == "year=2025/month=3/day=2/"

    assert run(lake, changed) == lake, "a third run over the same source changes nothing"


def test_the_old_append_export_duplicated_the_changed_row():
    """The model above can tell: appending the changed row (bookmarks) duplicates it."""
    lake = write({}, job.curate(SOURCE), "append")
    changed = dict(SOURCE[0], status="inactive", updated_at=datetime(2025, 4, 1))
    lake = write(lake, job.curate([changed]), "append")
    assert len(rows_by_id(lake)["a"]) == 2


def test_a_row_deleted_in_the_source_leaves_the_lake():
    lake = run(run({}, SOURCE), SOURCE[1:])
    assert sorted(rows_by_id(lake)) == ["b", "c"]


def test_data_quality_checks_refuse_null_and_duplicate_ids():
    with pytest.raises(ValueError, match="1 null IDs"):
        job.curate([*SOURCE, partner(None, datetime(2025, 1, 1), datetime(2025, 1, 1))])
    with pytest.raises(ValueError, match="duplicate IDs in business_partners: a"):
        job.curate([*SOURCE, SOURCE[0]])


def test_entry_point_overwrites_without_bookmarks():
    tree = ast.parse(SCRIPT.read_text())
    top_imports = {
        alias.name.split(".")[0]
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert not top_imports & {"awsglue", "pyspark", "boto3"}, "imported lazily, in main()"
    assert job.WRITE_MODE == "overwrite"
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    modes = [ast.unparse(c.args[0]) for c in calls if c.func.attr == "mode"]
    assert modes == ["WRITE_MODE", "WRITE_MODE"], "the writers (raw snapshot, curated) use the tested mode"
    assert [ast.unparse(c.args[0]) for c in calls if c.func.attr == "partitionBy"] == ["*PARTITION_KEYS"]
    source = SCRIPT.read_text()
    assert "jobBookmarkKeys" not in source and "transformation_ctx" not in source
    assert '"spark.sql.sources.partitionOverwriteMode", "static"' in source


def test_raw_snapshot_goes_to_the_days_folder_of_the_run_in_utc():
    from datetime import timedelta

    late_in_berlin = datetime(2025, 1, 15, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert job.raw_export_prefix(late_in_berlin) == "raw/rds-exports/year=2025/month=01/day=14/business_partners/"
    assert job.raw_export_prefix(datetime(2025, 11, 3, 2, 0, tzinfo=timezone.utc)) == (
        "raw/rds-exports/year=2025/month=11/day=03/business_partners/"
    )


def test_raw_snapshot_is_written_before_the_checks_under_the_jobs_raw_grant():
    source = SCRIPT.read_text()
    main = source[source.index("def main()") :]
    assert main.index("raw_export_prefix(") < main.index("check_ids("), "a run failing the checks keeps its snapshot"
    policy = golden_template("prod", "datalake")["Resources"]["GlueJobRole"]["Properties"]["Policies"][0]
    writable = [
        r["Fn::Sub"]
        for s in policy["PolicyDocument"]["Statement"]
        if "s3:PutObject" in s["Action"]
        for r in s["Resource"]
    ]
    assert writable == [f"${{DataLakeBucket.Arn}}/{p}*" for p in (job.RAW_EXPORTS_PREFIX, job.CURATED_PREFIX)]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_partitions_are_where_the_catalog_table_projects_them(env):
    resources = golden_template(env, "datalake")["Resources"]
    table = resources["BusinessPartnersCuratedTable"]["Properties"]["TableInput"]
    assert [k["Name"] for k in table["PartitionKeys"]] == job.PARTITION_KEYS
    columns = [c["Name"] for c in table["StorageDescriptor"]["Columns"]]
    assert columns == [curated for _, curated in job.COLUMNS]
    ddl = [part.split()[0] for part in job.CURATED_SCHEMA.split(", ")]
    assert ddl == columns + job.PARTITION_KEYS
    template = table["Parameters"]["storage.location.template"]
    prefix = f"s3://matbakh-data-lake-{env}/{job.CURATED_PREFIX}"
    row = job.curate_row(SOURCE[2])
    projected = template.replace("${year}", "2025").replace("${month}", "3").replace("${day}", "2")
    assert projected == prefix + job.partition_path(row)
