"""Glue ETL job (design section 7): business_partners from PostgreSQL to curated/ as Parquet.

Corrected from the design: the credentials are read from Secrets Manager at run time.
A "{{resolve:secretsmanager:...}}" string is a CloudFormation dynamic reference, which
CloudFormation resolves in templates only; inside a script it stays a literal string.
"""

import json
import sys

import boto3
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql.functions import dayofmonth, month, year

args = getResolvedOptions(sys.argv, ["JOB_NAME", "DATABASE_URL", "S3_BUCKET", "RDS_SECRET_ID"])
glue_context = GlueContext(SparkContext())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

secret = json.loads(
    boto3.client("secretsmanager").get_secret_value(SecretId=args["RDS_SECRET_ID"])["SecretString"]
)

business_partners = glue_context.create_dynamic_frame.from_options(
    connection_type="postgresql",
    connection_options={
        # The database refuses connections without TLS (rds.force_ssl).
        "url": args["DATABASE_URL"] + "?sslmode=require",
        "dbtable": "business_partners",
        "user": secret["username"],
        "password": secret["password"],
        # With --job-bookmark-option job-bookmark-enable, each run exports only the rows
        # changed since the previous one.
        "jobBookmarkKeys": ["updated_at"],
        "jobBookmarkKeysSortOrder": "asc",
    },
    transformation_ctx="business_partners",
)


def validate_data_quality(df):
    null_count = df.filter(df.id.isNull()).count()
    if null_count > 0:
        raise ValueError(f"Found {null_count} null IDs in business_partners")
    total, distinct = df.count(), df.select("id").distinct().count()
    if total != distinct:
        raise ValueError(f"Found duplicate IDs: {total} total vs {distinct} distinct")


validate_data_quality(business_partners.toDF())

transformed = business_partners.apply_mapping(
    [
        ("id", "string", "business_id", "string"),
        ("user_id", "string", "user_id", "string"),
        ("company_name", "string", "business_name", "string"),
        ("status", "string", "status", "string"),
        ("created_at", "timestamp", "created_date", "timestamp"),
        ("updated_at", "timestamp", "last_modified", "timestamp"),
    ]
).toDF()
partitioned = (
    transformed.withColumn("year", year("created_date"))
    .withColumn("month", month("created_date"))
    .withColumn("day", dayofmonth("created_date"))
)

glue_context.write_dynamic_frame.from_options(
    frame=DynamicFrame.fromDF(partitioned, glue_context, "partitioned"),
    connection_type="s3",
    connection_options={
        "path": f"s3://{args['S3_BUCKET']}/curated/business_partners/",
        "partitionKeys": ["year", "month", "day"],
    },
    format="parquet",
    format_options={"compression": "snappy"},
)

job.commit()
