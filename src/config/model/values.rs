//! Closed sets of values AWS accepts and the formats of hand-typed strings, as the
//! schema declares them (`enum`, `pattern`), so an editor flags what `validate` would.
//!
//! Each format pairs its regular expression with the words messages use for it: the
//! schema's pattern errors name the format instead of echoing the regular expression.
//! The patterns are written for both regex dialects that read them: Rust's `regex`
//! (`validate`, through `jsonschema`) and ECMAScript (the YAML language server), so no
//! look-around and no Unicode classes.

use schemars::Schema;
use serde_json::{Value, json};

use crate::cfn::registry::LAMBDA_RUNTIMES;

/// Retention periods CloudWatch Logs accepts (`RetentionInDays`).
pub const LOG_RETENTION_DAYS: [u32; 22] =
    [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/// Glue versions that run the ETL job.
pub const GLUE_VERSIONS: [&str; 3] = ["3.0", "4.0", "5.0"];

/// Glue worker types (`G.025X` runs only streaming jobs and `Z.2X` only Ray jobs; the
/// rules say so for the Spark ETL job).
pub const GLUE_WORKER_TYPES: [&str; 6] = ["G.025X", "G.1X", "G.2X", "G.4X", "G.8X", "Z.2X"];

/// ElastiCache for Redis OSS engine versions this platform deploys, newest first.
pub const REDIS_VERSIONS: [&str; 3] = ["7.1", "7.0", "6.2"];

/// API Gateway stage cache sizes in GB.
pub const API_CACHE_SIZES_GB: [&str; 8] = ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"];

/// Tags a CloudFormation resource may carry (AWS's per-resource limit).
pub const MAX_TAGS_PER_RESOURCE: usize = 50;
/// The tag keys the constructs add to every resource (`constructs::context::Context::tags`).
pub const ADDED_TAG_KEYS: [&str; 4] = ["project", "environment", "managed-by", "Name"];
/// What is left for the environment file's own tags.
pub const MAX_TAGS: usize = MAX_TAGS_PER_RESOURCE - ADDED_TAG_KEYS.len();

/// Performance Insights retention RDS accepts: 7, 31·k for k = 1..=23, or 731.
pub fn is_insights_retention(days: u32) -> bool {
    days == 7 || days == 731 || (days.is_multiple_of(31) && (1..=23).contains(&(days / 31)))
}

/// RDS enhanced monitoring intervals in seconds (0 turns it off).
pub const MONITORING_INTERVALS: [u32; 7] = [0, 1, 5, 10, 15, 30, 60];

/// A string format: the pattern the schema declares and how messages describe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    pub pattern: &'static str,
    /// Words for "does not match …", with an example.
    pub words: &'static str,
}

/// `hh24:mi`, hours 00-23, minutes 00-59, two digits each.
macro_rules! time {
    () => {
        r"([01][0-9]|2[0-3]):[0-5][0-9]"
    };
}
/// `ddd:hh24:mi`.
macro_rules! day_time {
    () => {
        concat!(r"(mon|tue|wed|thu|fri|sat|sun):", time!())
    };
}
/// An IPv4 address in canonical notation: octets 0-255 without leading zeros.
macro_rules! ipv4 {
    () => {
        r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"
    };
}

pub const ENV_NAME: Format = Format {
    pattern: r"^[a-z][a-z0-9]{1,11}$",
    words: "2 to 12 lower-case letters and digits, starting with a letter (e.g. `dev`)",
};
pub const ACCOUNT_ID: Format =
    Format { pattern: r"^[0-9]{12}$", words: "an AWS account id: 12 digits, in quotes (e.g. \"123456789012\")" };
pub const REGION: Format =
    Format { pattern: r"^[a-z]{2}(-[a-z]+)+-[0-9]$", words: "an AWS region name (e.g. `eu-central-1`)" };
pub const AVAILABILITY_ZONE: Format =
    Format { pattern: r"^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$", words: "an availability zone name (e.g. `eu-central-1a`)" };
/// VPC and subnet blocks: AWS allows /16 (65536 addresses) to /28 (16 addresses).
pub const VPC_CIDR: Format = Format {
    pattern: concat!("^", ipv4!(), r"/(1[6-9]|2[0-8])$"),
    words: "an IPv4 CIDR a.b.c.d/n with octets 0-255 (no leading zeros) and a prefix length n from 16 to 28 \
            (e.g. `10.0.0.0/16`)",
};
/// SSH sources: any prefix but /0 (the whole internet).
pub const SSH_CIDR: Format = Format {
    pattern: concat!("^", ipv4!(), r"/([1-9]|[12][0-9]|3[0-2])$"),
    words: "an IPv4 CIDR a.b.c.d/n with octets 0-255 (no leading zeros) and a prefix length n from 1 to 32 \
            (e.g. `203.0.113.10/32`; /0 would open SSH to the internet)",
};
pub const DAILY_WINDOW: Format = Format {
    pattern: concat!("^", time!(), "-", time!(), "$"),
    words: "a daily window `hh24:mi-hh24:mi` in UTC (e.g. `03:00-04:00`)",
};
pub const WEEKLY_WINDOW: Format = Format {
    pattern: concat!("^", day_time!(), "-", day_time!(), "$"),
    words: "a weekly window `ddd:hh24:mi-ddd:hh24:mi` in UTC with days mon, tue, wed, thu, fri, sat, sun \
            (e.g. `sun:04:30-sun:05:30`)",
};
/// Six fields; exactly one of day-of-month (3rd) and day-of-week (5th) is `?`.
pub const GLUE_CRON: Format = Format {
    pattern: r"^cron\(\s*\S+\s+\S+\s+(\?\s+\S+\s+([^\s?]\S*|\?\S+)|([^\s?]\S*|\?\S+)\s+\S+\s+\?)\s+\S+\s*\)$",
    words: "a cron expression `cron(minutes hours day-of-month month day-of-week year)` with exactly one of \
            day-of-month and day-of-week `?` (e.g. `cron(0 2 * * ? *)`)",
};
pub const IDENTIFIER: Format = Format {
    pattern: r"^[a-zA-Z][a-zA-Z0-9_]{0,62}$",
    words: "1 to 63 letters, digits and underscores, starting with a letter",
};
pub const POSTGRES_VERSION: Format =
    Format { pattern: r"^\d+(\.\d+)?$", words: "a version `MAJOR` or `MAJOR.MINOR` (e.g. `15.14`)" };
pub const DB_INSTANCE_CLASS: Format =
    Format { pattern: r"^db\.[a-z0-9-]+\.[a-z0-9]+$", words: "a database instance class (e.g. `db.r6g.large`)" };
pub const CACHE_NODE_TYPE: Format =
    Format { pattern: r"^cache\.[a-z0-9-]+\.[a-z0-9]+$", words: "a cache node type (e.g. `cache.r6g.large`)" };
/// Graviton (arm64) instance types: the family's letters after the generation digit
/// contain a `g` (t4g, m7g, c6gn, r8gd); the bastion's Amazon Linux image is arm64.
pub const GRAVITON_INSTANCE_TYPE: Format = Format {
    pattern: r"^[a-z]+[0-9]+[a-z]*g[a-z]*\.[a-z0-9]+$",
    words: "a Graviton (arm64) instance type (e.g. `t4g.nano`); the bastion runs Amazon Linux 2023 for arm64",
};
pub const REPLICA_NAME: Format = Format {
    pattern: r"^[a-z][a-z0-9]{0,19}$",
    words: "1 to 20 lower-case letters and digits, starting with a letter (e.g. `analytics`)",
};
pub const RESOURCE_NAME: Format = Format {
    pattern: r"^[a-z][a-z0-9-]{0,39}$",
    words: "1 to 40 lower-case letters, digits and hyphens, starting with a letter (e.g. `vc-start`)",
};
pub const HANDLER: Format = Format {
    pattern: r"^[A-Za-z0-9_./-]+\.[A-Za-z_$][A-Za-z0-9_$]*$",
    words: "`file.export`, the module file without extension and the exported function (e.g. `index.handler`)",
};
pub const ATTRIBUTE_NAME: Format = Format {
    pattern: r"^[a-z][a-z_]{0,19}$",
    words: "1 to 20 lower-case letters and underscores, starting with a letter (e.g. `business_id`)",
};
pub const STAGE_NAME: Format =
    Format { pattern: r"^[a-zA-Z0-9_]{1,64}$", words: "1 to 64 letters, digits and underscores (e.g. `v1`)" };
pub const ACM_CERTIFICATE_ARN: Format = Format {
    pattern: r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$",
    words: "an ACM certificate ARN (e.g. `arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`)",
};
pub const QUICKSIGHT_PRINCIPAL_ARN: Format = Format {
    pattern: r"^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group)/[A-Za-z0-9._-]+/\S+$",
    words: "a QuickSight user or group ARN (e.g. `arn:aws:quicksight:eu-central-1:123456789012:group/default/analysts`)",
};
pub const ROUTE_PATH: Format = Format {
    pattern: r"^(/[A-Za-z0-9._{}-]+)+$",
    words: "a path of `/`-separated segments of letters, digits, `._-` and `{parameter}` (e.g. `/api/v1/vc/start`)",
};
pub const QUERY_PARAMETER_NAME: Format =
    Format { pattern: r"^[A-Za-z0-9_.-]{1,64}$", words: "1 to 64 letters, digits and `_.-` (e.g. `page`)" };
pub const HOSTED_ZONE_ID: Format = Format {
    pattern: r"^Z[A-Z0-9]{1,31}$",
    words: "a Route 53 hosted zone id, `Z` and upper-case letters and digits, without `/hostedzone/` (e.g. `Z0123456789ABCDEFGHIJ`)",
};
pub const COUNTRY_CODE: Format =
    Format { pattern: r"^[A-Z]{2}$", words: "an ISO 3166 alpha-2 country code in capitals (e.g. `CN`)" };
pub const E164_PHONE: Format = Format {
    pattern: r"^\+[1-9][0-9]{1,14}$",
    words: "an E.164 phone number: `+` and 2 to 15 digits (e.g. `+49123456789`)",
};
/// A tag key may not start with `aws:` in any case (reserved by AWS).
pub const TAG_KEY: Format = Format {
    pattern: r"^([^aA]|[aA]([^wW]|$)|[aA][wW]([^sS]|$)|[aA][wW][sS]([^:]|$))",
    words: "a tag key not starting with `aws:` (the prefix is reserved by AWS)",
};

/// Every format, for turning a pattern back into words.
pub const FORMATS: &[Format] = &[
    ENV_NAME,
    ACCOUNT_ID,
    REGION,
    AVAILABILITY_ZONE,
    VPC_CIDR,
    SSH_CIDR,
    DAILY_WINDOW,
    WEEKLY_WINDOW,
    GLUE_CRON,
    IDENTIFIER,
    POSTGRES_VERSION,
    DB_INSTANCE_CLASS,
    CACHE_NODE_TYPE,
    GRAVITON_INSTANCE_TYPE,
    REPLICA_NAME,
    RESOURCE_NAME,
    HANDLER,
    ATTRIBUTE_NAME,
    STAGE_NAME,
    ACM_CERTIFICATE_ARN,
    QUICKSIGHT_PRINCIPAL_ARN,
    ROUTE_PATH,
    QUERY_PARAMETER_NAME,
    HOSTED_ZONE_ID,
    COUNTRY_CODE,
    E164_PHONE,
    TAG_KEY,
];

/// The words for `pattern`, if it is one of [`FORMATS`].
pub fn describe_format(pattern: &str) -> Option<&'static str> {
    FORMATS.iter().find(|f| f.pattern == pattern).map(|f| f.words)
}

/// Performance Insights retention RDS accepts: 7 (free tier), 31·k for k = 1..=23, or 731.
pub fn insights_retention_days() -> Vec<u32> {
    let mut days = vec![7];
    days.extend((1..=23).map(|k| 31 * k));
    days.push(731);
    days
}

/// The Node.js Lambda runtimes (`nodejsNN.x`) the registry data knows.
pub fn node_runtimes() -> Vec<&'static str> {
    LAMBDA_RUNTIMES
        .iter()
        .map(|r| r.name)
        .filter(|n| {
            n.strip_prefix("nodejs").and_then(|v| v.strip_suffix(".x")).is_some_and(|v| v.parse::<u32>().is_ok())
        })
        .collect()
}

/// `enum` for a field of [`LOG_RETENTION_DAYS`].
pub fn log_retention_enum(schema: &mut Schema) {
    schema.insert("enum".into(), json!(LOG_RETENTION_DAYS));
}

/// `enum` for the optional Performance Insights retention (null turns it off).
pub fn insights_retention_enum(schema: &mut Schema) {
    let mut values: Vec<Value> = insights_retention_days().into_iter().map(Value::from).collect();
    values.push(Value::Null);
    schema.insert("enum".into(), Value::Array(values));
}

/// `enum` of [`node_runtimes`].
pub fn node_runtime_enum(schema: &mut Schema) {
    schema.insert("enum".into(), json!(node_runtimes()));
}
