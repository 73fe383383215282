//! Every rule against a valid environment mirroring prod: the environment itself is
//! clean, and each mutation yields exactly the expected finding.

use std::collections::BTreeMap;

use super::check;
use super::test_support::{self, prod_env};
use crate::cfn::registry::POSTGRES_ENGINE_VERSIONS;
use crate::config::model::*;
use crate::config::{Environment, Severity};

fn subnet(cidr: &str, zone: &str) -> Subnet {
    Subnet { cidr: cidr.to_owned(), availability_zone: format!("eu-central-1{zone}") }
}

fn latest_15() -> &'static str {
    POSTGRES_ENGINE_VERSIONS.latest_supported_minor("15").expect("the registry knows a supported 15 minor")
}

/// The prod environment of the design (§2, §6, §9), built in Rust.
fn valid_env() -> Environment {
    let prod = prod_env();
    let key = |description: &str| KmsKey {
        description: description.to_owned(),
        rotation_period_days: 365,
        pending_window_days: 30,
    };
    Environment {
        name: "prod".to_owned(),
        account: "111122223333".to_owned(),
        region: "eu-central-1".to_owned(),
        availability_zones: ["a", "b", "c"].map(|z| format!("eu-central-1{z}")).to_vec(),
        tags: BTreeMap::from([("owner".to_owned(), "platform-team".to_owned())]),
        protected: true,
        network: Network {
            vpc_cidr: "10.0.0.0/16".to_owned(),
            nat_gateways: 2,
            public_subnets: vec![subnet("10.0.1.0/24", "a"), subnet("10.0.2.0/24", "b")],
            private_subnets: vec![
                subnet("10.0.10.0/24", "a"),
                subnet("10.0.11.0/24", "b"),
                subnet("10.0.12.0/24", "c"),
            ],
            database_subnets: vec![
                subnet("10.0.20.0/24", "a"),
                subnet("10.0.21.0/24", "b"),
                subnet("10.0.22.0/24", "c"),
            ],
            bastion_ssh_cidrs: Vec::new(),
            bastion: Default::default(),
        },
        security: Security {
            rds_key: key("Encryption key for RDS databases"),
            lambda_key: key("Encryption key for Lambda environment variables"),
            rds_credentials: RdsCredentials { username: "matbakh_app".to_owned(), password_length: 32 },
            external_api_keys: ExternalApiKeys {
                expected_keys: ["google_client_id", "google_client_secret", "facebook_app_id", "facebook_app_secret"]
                    .map(str::to_owned)
                    .to_vec(),
            },
            redis_auth_token: GeneratedToken { length: 64 },
        },
        database: Database {
            engine_version: latest_15().to_owned(),
            instance_class: "db.r6g.xlarge".to_owned(),
            database_name: "matbakh".to_owned(),
            port: 5432,
            storage: DatabaseStorage {
                allocated_gib: 500,
                max_allocated_gib: 1000,
                iops: None,
                throughput_mibps: None,
            },
            multi_az: true,
            availability_zone: None,
            backup: Backup { retention_days: 7, window: "03:00-04:00".to_owned(), snapshot_retention_days: 35 },
            maintenance_window: "sun:04:30-sun:05:30".to_owned(),
            monitoring: DatabaseMonitoring {
                enhanced_monitoring_interval_seconds: 60,
                performance_insights_retention_days: Some(7),
                log_exports: vec![PostgresLogExport::Postgresql, PostgresLogExport::Upgrade],
            },
            deletion_protection: true,
            settings: DatabaseSettings {
                force_ssl: true,
                tls_min_version: TlsVersion::Tls13,
                preload_libraries: vec![PreloadLibrary::PgCron, PreloadLibrary::PgStatStatements],
            },
            read_replicas: vec![
                ReadReplica {
                    name: "analytics".to_owned(),
                    purpose: "Analytics workloads".to_owned(),
                    availability_zone: "eu-central-1b".to_owned(),
                    instance_class: None,
                },
                ReadReplica {
                    name: "reporting".to_owned(),
                    purpose: "Reporting, dashboards and backups".to_owned(),
                    availability_zone: "eu-central-1c".to_owned(),
                    instance_class: None,
                },
            ],
            cache_invalidator: None,
            master_username: "matbakh_admin".to_owned(),
            bootstrap: Some(DatabaseBootstrap {
                function: "db-bootstrap".to_owned(),
                migrations: "examples/migrations".to_owned(),
            }),
        },
        cache: Cache {
            engine_version: "7.1".to_owned(),
            node_type: "cache.r6g.large".to_owned(),
            shards: 3,
            replicas_per_shard: 1,
            multi_az: true,
            port: 6379,
            snapshot_retention_days: 5,
            snapshot_window: "03:00-05:00".to_owned(),
            maintenance_window: "sun:05:30-sun:06:30".to_owned(),
            parameters: CacheParameters {
                maxmemory_policy: MaxmemoryPolicy::AllkeysLru,
                timeout_seconds: 300,
                tcp_keepalive_seconds: 60,
            },
        },
        // The sections of the later stacks are taken as prod.yaml has them.
        functions: prod.functions,
        auth: prod.auth,
        api: prod.api,
        edge: prod.edge,
        observability: prod.observability,
        datalake: prod.datalake,
    }
}

/// `valid_env()` changed by `edit`.
fn with(edit: impl FnOnce(&mut Environment)) -> Environment {
    let mut env = valid_env();
    edit(&mut env);
    env
}

#[track_caller]
fn assert_clean(env: &Environment) {
    let findings = check(env);
    assert!(findings.is_empty(), "expected no findings, got {findings:#?}");
}

/// The findings are exactly `expected`, in order: severity, path, words the message contains.
#[track_caller]
fn assert_findings(env: &Environment, expected: &[(Severity, &str, &[&str])]) {
    test_support::assert_findings(&check(env), expected);
}

#[track_caller]
fn assert_error(env: &Environment, path: &str, words: &[&str]) {
    test_support::assert_error(&check(env), path, words);
}

#[track_caller]
fn assert_warning(env: &Environment, path: &str, words: &[&str]) {
    test_support::assert_warning(&check(env), path, words);
}

#[test]
fn the_prod_shaped_environment_is_clean() {
    assert_clean(&valid_env());
}

mod zones {
    use super::*;

    #[test]
    fn availability_zones_must_be_unique() {
        let env = with(|e| e.availability_zones.push("eu-central-1a".to_owned()));
        assert_error(&env, "availability_zones[3]", &["eu-central-1a", "twice", "availability_zones[0]"]);
    }

    #[test]
    fn availability_zones_must_belong_to_the_region() {
        for zone in ["eu-west-1a", "eu-central-1", "eu-central-1ab", "eu-central-1A", "eu-central-2a"] {
            let env = with(|e| e.availability_zones.push(zone.to_owned()));
            assert_error(&env, "availability_zones[3]", &[zone, "region eu-central-1", "eu-central-1a"]);
        }
        assert_clean(&with(|e| e.availability_zones.push("eu-central-1d".to_owned())));
    }
}

mod network {
    use super::*;

    #[test]
    fn vpc_cidr_must_parse_as_ipv4() {
        for (cidr, words) in [
            ("10.0.0/16", &["10.0.0/16", "not an IPv4 CIDR", "a.b.c.d/n"][..]),
            ("300.0.0.0/16", &["not an IPv4 CIDR"]),
            ("10.0.0.0/33", &["not an IPv4 CIDR"]),
            ("010.0.0.0/16", &["not an IPv4 CIDR", "no leading zeros"]),
            ("10.0.0.0/016", &["not an IPv4 CIDR"]),
            ("10.0.0.0/+16", &["not an IPv4 CIDR"]),
            ("10.0.0.0/", &["not an IPv4 CIDR"]),
            (" 10.0.0.0/16", &["not an IPv4 CIDR"]),
            ("", &["not an IPv4 CIDR"]),
            ("10.0.0.0", &["no prefix length", "10.0.0.0/32"]),
            ("fd00::/16", &["IPv6", "IPv4 CIDR"]),
        ] {
            assert_error(&with(|e| e.network.vpc_cidr = cidr.to_owned()), "network.vpc_cidr", words);
        }
    }

    #[test]
    fn vpc_cidr_must_not_have_host_bits() {
        let env = with(|e| e.network.vpc_cidr = "10.0.0.1/16".to_owned());
        assert_error(&env, "network.vpc_cidr", &["10.0.0.1/16", "host bits", "use 10.0.0.0/16"]);
    }

    #[test]
    fn vpc_cidr_must_be_a_16_to_28() {
        assert_error(
            &with(|e| e.network.vpc_cidr = "10.0.0.0/8".to_owned()),
            "network.vpc_cidr",
            &["/8", "/16", "/28"],
        );
        assert_error(&with(|e| e.network.vpc_cidr = "10.0.0.0/29".to_owned()), "network.vpc_cidr", &["/29", "/28"]);
        // Subnets inside a larger VPC are fine.
        assert_clean(&with(|e| e.network.vpc_cidr = "10.0.0.0/16".to_owned()));
    }

    #[test]
    fn subnet_cidrs_must_parse() {
        let env = with(|e| e.network.private_subnets[1].cidr = "10.0.11.0".to_owned());
        assert_error(&env, "network.private_subnets[1].cidr", &["no prefix length"]);
        let env = with(|e| e.network.private_subnets[1].cidr = "10.0.11.0/24/1".to_owned());
        assert_error(&env, "network.private_subnets[1].cidr", &["not an IPv4 CIDR"]);
    }

    #[test]
    fn subnet_cidrs_must_not_have_host_bits() {
        let env = with(|e| e.network.private_subnets[1].cidr = "10.0.11.7/24".to_owned());
        assert_error(&env, "network.private_subnets[1].cidr", &["host bits", "use 10.0.11.0/24"]);
    }

    #[test]
    fn subnets_must_lie_inside_the_vpc() {
        let env = with(|e| e.network.public_subnets[0].cidr = "10.1.0.0/24".to_owned());
        assert_error(
            &env,
            "network.public_subnets[0].cidr",
            &["subnet 10.1.0.0/24 is outside the VPC CIDR 10.0.0.0/16", "inside it"],
        );
        // The last /24 of the VPC is inside it.
        assert_clean(&with(|e| e.network.public_subnets[0].cidr = "10.0.255.0/24".to_owned()));
    }

    #[test]
    fn subnets_must_be_16_to_28() {
        let env = with(|e| e.network.database_subnets[2].cidr = "10.0.30.0/29".to_owned());
        assert_error(&env, "network.database_subnets[2].cidr", &["/29", "/16", "/28"]);
        assert_clean(&with(|e| e.network.database_subnets[2].cidr = "10.0.30.0/28".to_owned()));
    }

    #[test]
    fn subnets_must_not_overlap_across_lists() {
        let env = with(|e| e.network.database_subnets[2].cidr = "10.0.10.128/25".to_owned());
        assert_error(
            &env,
            "network.database_subnets[2].cidr",
            &["10.0.10.128/25", "overlaps", "10.0.10.0/24", "network.private_subnets[0].cidr"],
        );
        // Adjacent ranges do not overlap.
        assert_clean(&with(|e| e.network.database_subnets[2].cidr = "10.0.13.0/24".to_owned()));
    }

    #[test]
    fn an_overlap_is_reported_on_the_later_subnet_naming_the_earliest() {
        // A /20 at public[1] contains public[0]'s 10.0.1.0/24 and the private /24s after it.
        let env = with(|e| e.network.public_subnets[1].cidr = "10.0.0.0/20".to_owned());
        let errors = |path, earlier: &'static str| (Severity::Error, path, vec!["overlaps", earlier]);
        let expected = [
            errors("network.public_subnets[1].cidr", "network.public_subnets[0].cidr"),
            errors("network.private_subnets[0].cidr", "network.public_subnets[1].cidr"),
            errors("network.private_subnets[1].cidr", "network.public_subnets[1].cidr"),
            errors("network.private_subnets[2].cidr", "network.public_subnets[1].cidr"),
        ];
        let expected: Vec<_> = expected.iter().map(|(s, p, w)| (*s, *p, &w[..])).collect();
        assert_findings(&env, &expected);
    }

    #[test]
    fn subnet_zones_must_be_environment_zones() {
        let env = with(|e| e.network.private_subnets[2].availability_zone = "eu-central-1d".to_owned());
        assert_error(
            &env,
            "network.private_subnets[2].availability_zone",
            &["eu-central-1d", "eu-central-1a, eu-central-1b, eu-central-1c"],
        );
    }

    #[test]
    fn nat_gateways_at_most_public_subnets() {
        let env = with(|e| e.network.nat_gateways = 3);
        assert_error(&env, "network.nat_gateways", &["3 NAT gateways", "2 public subnet", "at most 2"]);
        assert_clean(&with(|e| e.network.nat_gateways = 1));
    }

    #[test]
    fn database_subnets_span_two_zones() {
        let env = with(|e| {
            for s in &mut e.network.database_subnets {
                s.availability_zone = "eu-central-1a".to_owned();
            }
        });
        assert_error(&env, "network.database_subnets", &["only 1 availability zone", "eu-central-1a", "at least 2"]);
        assert_clean(&with(|e| e.network.database_subnets[2].availability_zone = "eu-central-1a".to_owned()));
    }

    #[test]
    fn bastion_ssh_must_not_be_open_to_the_internet() {
        let env = with(|e| e.network.bastion_ssh_cidrs = vec!["203.0.113.0/24".to_owned(), "0.0.0.0/0".to_owned()]);
        assert_error(&env, "network.bastion_ssh_cidrs[1]", &["opens SSH to the internet", "name the admin ranges"]);
        let env = with(|e| e.network.bastion_ssh_cidrs = vec!["203.0.113.0/24".into(), "198.51.100.7/32".into()]);
        assert_clean(&env);
    }

    #[test]
    fn bastion_ssh_ranges_must_parse() {
        let ssh = |cidr: &str| with(|e| e.network.bastion_ssh_cidrs = vec![cidr.to_owned()]);
        assert_error(&ssh("admins"), "network.bastion_ssh_cidrs[0]", &["not an IPv4 CIDR"]);
        assert_error(&ssh("198.51.100.7"), "network.bastion_ssh_cidrs[0]", &["198.51.100.7/32"]);
        assert_error(&ssh("::/0"), "network.bastion_ssh_cidrs[0]", &["IPv6"]);
        assert_error(&ssh("203.0.113.5/24"), "network.bastion_ssh_cidrs[0]", &["host bits", "203.0.113.0/24"]);
    }
}

mod security {
    use super::*;

    #[test]
    fn expected_keys_are_unique() {
        let env = with(|e| e.security.external_api_keys.expected_keys.push("google_client_id".to_owned()));
        assert_error(
            &env,
            "security.external_api_keys.expected_keys[4]",
            &["google_client_id", "twice", "expected_keys[0]"],
        );
    }

    #[test]
    fn expected_keys_are_snake_case_names() {
        for key in ["Google_Client_Id", "google-client-id", "1password", "_key", "", "schlüssel"] {
            let env = with(|e| e.security.external_api_keys.expected_keys[1] = key.to_owned());
            assert_error(&env, "security.external_api_keys.expected_keys[1]", &["not a key name", "lowercase"]);
        }
        assert_clean(&with(|e| e.security.external_api_keys.expected_keys[1] = "x9_api_key_2".to_owned()));
    }
}

mod database {
    use super::*;

    #[test]
    fn unknown_minor_names_the_latest_supported_minor() {
        let env = with(|e| e.database.engine_version = "15.99".to_owned());
        let latest = latest_15();
        assert_error(
            &env,
            "database.engine_version",
            &["15.99", "not a version RDS offers", latest, "latest supported 15"],
        );
    }

    #[test]
    fn unknown_major_lists_the_supported_majors() {
        let env = with(|e| e.database.engine_version = "99.1".to_owned());
        assert_error(&env, "database.engine_version", &["99.1", "supported majors are", "15", "16", "17"]);
        // Garbage from a file the schema did not see never panics.
        let env = with(|e| e.database.engine_version = "fifteen".to_owned());
        assert_error(&env, "database.engine_version", &["supported majors"]);
    }

    #[test]
    fn deprecated_minor_is_a_warning_naming_the_alternative() {
        let env = with(|e| e.database.engine_version = "15.4".to_owned());
        let latest = latest_15();
        assert_warning(
            &env,
            "database.engine_version",
            &[&format!("PostgreSQL 15.4 is deprecated; use {latest}, the latest supported 15 minor")],
        );
        // A major alone is deprecated too (RDS would pick the minor).
        let env = with(|e| e.database.engine_version = "15".to_owned());
        assert_warning(&env, "database.engine_version", &["PostgreSQL 15 is deprecated", latest]);
    }

    #[test]
    fn deprecated_major_without_supported_minor_points_to_supported_majors() {
        let env = with(|e| {
            e.database.engine_version = "11.22".to_owned();
            e.database.settings.preload_libraries = vec![PreloadLibrary::PgStatStatements];
        });
        assert_warning(
            &env,
            "database.engine_version",
            &["11.22", "deprecated", "no supported minor", "supported majors"],
        );
    }

    #[test]
    fn pg_cron_needs_postgres_12() {
        let env = with(|e| e.database.engine_version = "11.22".to_owned());
        assert_findings(
            &env,
            &[
                (Severity::Warning, "database.engine_version", &["deprecated"]),
                (
                    Severity::Error,
                    "database.settings.preload_libraries[0]",
                    &["pg_cron", "PostgreSQL 12 or later", "11.22"],
                ),
            ],
        );
        let env = with(|e| e.database.engine_version = "12.22".to_owned());
        assert_clean(&env);
    }

    #[test]
    fn multi_az_needs_two_zones() {
        let one_zone = |multi_az| {
            with(|e| {
                e.availability_zones.truncate(1);
                for s in e.network.public_subnets.iter_mut().chain(&mut e.network.private_subnets) {
                    s.availability_zone = "eu-central-1a".to_owned();
                }
                for s in &mut e.network.database_subnets {
                    s.availability_zone = "eu-central-1a".to_owned();
                }
                e.database.read_replicas.clear();
                e.database.multi_az = multi_az;
            })
        };
        assert_findings(
            &one_zone(true),
            &[
                (Severity::Error, "network.database_subnets", &["at least 2"]),
                (Severity::Error, "database.multi_az", &["at least 2 availability zones", "has 1"]),
            ],
        );
        assert_error(&one_zone(false), "network.database_subnets", &["at least 2"]);
    }

    #[test]
    fn availability_zone_is_not_set_with_multi_az() {
        let env = with(|e| e.database.availability_zone = Some("eu-central-1a".to_owned()));
        assert_error(&env, "database.availability_zone", &["multi_az", "RDS chooses the zones", "remove"]);
        assert_clean(&with(|e| {
            e.database.multi_az = false;
            e.database.availability_zone = Some("eu-central-1a".to_owned());
        }));
    }

    #[test]
    fn availability_zone_is_an_environment_zone() {
        let env = with(|e| {
            e.database.multi_az = false;
            e.database.availability_zone = Some("eu-central-1d".to_owned());
        });
        assert_error(
            &env,
            "database.availability_zone",
            &["eu-central-1d", "eu-central-1a, eu-central-1b, eu-central-1c"],
        );
    }

    #[test]
    fn max_allocated_is_at_least_allocated() {
        let env = with(|e| e.database.storage.max_allocated_gib = 400);
        assert_error(&env, "database.storage.max_allocated_gib", &["400 is below allocated_gib 500", "at least 550"]);
    }

    #[test]
    fn max_allocated_is_at_least_ten_percent_above_allocated() {
        let env = with(|e| e.database.storage.max_allocated_gib = 500);
        assert_error(&env, "database.storage.max_allocated_gib", &["less than 10% above", "at least 550"]);
        let env = with(|e| e.database.storage.max_allocated_gib = 549);
        assert_error(&env, "database.storage.max_allocated_gib", &["at least 550"]);
        assert_clean(&with(|e| e.database.storage.max_allocated_gib = 550));
        // Rounded up: 21 GiB -> 23.1, so 24.
        let env = with(|e| {
            e.database.storage.allocated_gib = 21;
            e.database.storage.max_allocated_gib = 23;
        });
        assert_error(&env, "database.storage.max_allocated_gib", &["at least 24"]);
    }

    #[test]
    fn gp3_performance_cannot_be_set_below_400_gib() {
        let small = |iops, throughput| {
            with(|e| {
                e.database.storage.allocated_gib = 399;
                e.database.storage.iops = iops;
                e.database.storage.throughput_mibps = throughput;
            })
        };
        assert_clean(&small(None, None));
        assert_error(
            &small(Some(3000), None),
            "database.storage.iops",
            &["cannot be set", "400 GiB", "3000 IOPS / 125 MiB/s"],
        );
        assert_error(&small(None, Some(125)), "database.storage.throughput_mibps", &["cannot be set", "400 GiB"]);
        assert_findings(
            &small(Some(12000), Some(500)),
            &[
                (Severity::Error, "database.storage.iops", &["cannot be set"]),
                (Severity::Error, "database.storage.throughput_mibps", &["cannot be set"]),
            ],
        );
    }

    fn provisioned(iops: Option<u32>, throughput: Option<u32>) -> Environment {
        with(|e| {
            e.database.storage.allocated_gib = 400;
            e.database.storage.iops = iops;
            e.database.storage.throughput_mibps = throughput;
        })
    }

    #[test]
    fn gp3_iops_and_throughput_come_together() {
        assert_error(
            &provisioned(Some(12000), None),
            "database.storage.iops",
            &["without throughput_mibps", "500-4000"],
        );
        assert_error(
            &provisioned(None, Some(500)),
            "database.storage.throughput_mibps",
            &["without iops", "12000-64000"],
        );
        assert_clean(&provisioned(Some(12000), Some(500)));
    }

    #[test]
    fn gp3_iops_range_from_400_gib() {
        assert_error(&provisioned(Some(11999), Some(500)), "database.storage.iops", &["11999", "12000-64000"]);
        assert_error(&provisioned(Some(64001), Some(500)), "database.storage.iops", &["64001", "12000-64000"]);
        assert_clean(&provisioned(Some(64000), Some(500)));
    }

    #[test]
    fn gp3_throughput_range_from_400_gib() {
        assert_error(&provisioned(Some(20000), Some(499)), "database.storage.throughput_mibps", &["499", "500-4000"]);
        assert_error(&provisioned(Some(20000), Some(4001)), "database.storage.throughput_mibps", &["4001", "500-4000"]);
        assert_clean(&provisioned(Some(20000), Some(4000)));
    }

    #[test]
    fn gp3_throughput_per_iops_at_most_a_quarter() {
        assert_error(
            &provisioned(Some(12000), Some(4000)),
            "database.storage.throughput_mibps",
            &["0.25 MiB/s per IOPS", "at least 16000", "at most 3000"],
        );
        assert_clean(&provisioned(Some(16000), Some(4000)));
        assert_clean(&provisioned(Some(12000), Some(3000)));
    }

    #[test]
    fn backup_window_is_well_formed() {
        for window in ["3:00-04:00", "03:00", "03:00-24:00", "03:00 - 04:00", "sun:03:00-sun:04:00"] {
            let env = with(|e| e.database.backup.window = window.to_owned());
            assert_error(&env, "database.backup.window", &["malformed", "hh24:mi-hh24:mi"]);
        }
    }

    #[test]
    fn backup_window_lasts_30_minutes() {
        let env = with(|e| e.database.backup.window = "03:00-03:29".to_owned());
        assert_error(&env, "database.backup.window", &["29 minutes", "at least 30"]);
        let env = with(|e| e.database.backup.window = "03:00-03:00".to_owned());
        assert_error(&env, "database.backup.window", &["0 minutes", "at least 30"]);
        // 30 minutes across midnight.
        assert_clean(&with(|e| e.database.backup.window = "23:45-00:15".to_owned()));
    }

    #[test]
    fn maintenance_window_is_well_formed() {
        for window in
            ["sunday:04:30-sun:05:30", "Sun:04:30-Sun:05:30", "sun:4:30-sun:05:30", "04:30-05:30", "sun:04:30"]
        {
            let env = with(|e| e.database.maintenance_window = window.to_owned());
            assert_error(&env, "database.maintenance_window", &["malformed", "ddd:hh24:mi-ddd:hh24:mi", "mon..sun"]);
        }
    }

    #[test]
    fn maintenance_window_lasts_30_minutes() {
        let env = with(|e| e.database.maintenance_window = "sun:04:30-sun:04:50".to_owned());
        assert_error(&env, "database.maintenance_window", &["20 minutes", "at least 30"]);
        // 30 minutes across the end of the week.
        assert_clean(&with(|e| e.database.maintenance_window = "sun:23:45-mon:00:15".to_owned()));
    }

    #[test]
    fn backup_and_maintenance_windows_do_not_overlap() {
        let env = with(|e| e.database.backup.window = "04:00-05:00".to_owned());
        assert_error(&env, "database.backup.window", &["04:00-05:00", "overlaps", "sun:04:30-sun:05:30", "on sun"]);
        // Back to back is fine.
        assert_clean(&with(|e| e.database.backup.window = "03:30-04:30".to_owned()));
    }

    #[test]
    fn window_overlaps_are_found_across_midnight_and_the_week() {
        let env = with(|e| {
            e.database.backup.window = "23:30-00:30".to_owned();
            e.database.maintenance_window = "mon:00:00-mon:01:00".to_owned();
        });
        assert_error(&env, "database.backup.window", &["overlaps", "on sun"]);
        let env = with(|e| {
            e.database.backup.window = "00:00-00:30".to_owned();
            e.database.maintenance_window = "sun:23:30-mon:00:30".to_owned();
        });
        assert_error(&env, "database.backup.window", &["overlaps", "on mon"]);
        assert_clean(&with(|e| {
            e.database.backup.window = "00:30-01:00".to_owned();
            e.database.maintenance_window = "sun:23:30-mon:00:30".to_owned();
        }));
    }

    #[test]
    fn enhanced_monitoring_intervals() {
        for interval in [2, 45, 120] {
            let env = with(|e| e.database.monitoring.enhanced_monitoring_interval_seconds = interval);
            assert_error(
                &env,
                "database.monitoring.enhanced_monitoring_interval_seconds",
                &[&format!("{interval} s"), "0 (off), 1, 5, 10, 15, 30 or 60"],
            );
        }
        for interval in [0, 1, 5, 10, 15, 30, 60] {
            assert_clean(&with(|e| e.database.monitoring.enhanced_monitoring_interval_seconds = interval));
        }
    }

    #[test]
    fn performance_insights_retention() {
        for days in [0, 8, 30, 32, 730, 744, 732] {
            let env = with(|e| e.database.monitoring.performance_insights_retention_days = Some(days));
            assert_error(
                &env,
                "database.monitoring.performance_insights_retention_days",
                &[&format!("{days} days"), "7 (free tier)", "31", "731"],
            );
        }
        for days in [Some(7), Some(31), Some(62), Some(713), Some(731), None] {
            assert_clean(&with(|e| e.database.monitoring.performance_insights_retention_days = days));
        }
    }

    #[test]
    fn read_replica_names_are_unique() {
        let env = with(|e| e.database.read_replicas[1].name = "analytics".to_owned());
        assert_error(&env, "database.read_replicas[1].name", &["analytics", "read_replicas[0]", "unique"]);
    }

    #[test]
    fn read_replica_zones_are_environment_zones() {
        let env = with(|e| e.database.read_replicas[0].availability_zone = "eu-west-1b".to_owned());
        assert_error(&env, "database.read_replicas[0].availability_zone", &["eu-west-1b", "availability_zones"]);
    }

    #[test]
    fn read_replica_in_the_primary_zone_is_a_warning() {
        let single_az = |zone: &str| {
            with(|e| {
                e.database.multi_az = false;
                e.database.availability_zone = Some(zone.to_owned());
            })
        };
        assert_warning(
            &single_az("eu-central-1b"),
            "database.read_replicas[0].availability_zone",
            &["analytics", "eu-central-1b", "primary's zone", "another zone"],
        );
        assert_clean(&single_az("eu-central-1a"));
    }

    #[test]
    fn deletion_protection_off_is_allowed() {
        assert_clean(&with(|e| e.database.deletion_protection = false));
    }
}

mod cache {
    use super::*;

    #[test]
    fn engine_version_is_a_supported_redis() {
        for version in ["6.0", "5.0", "4.0", "7.2", "8.0", "seven"] {
            let env = with(|e| e.cache.engine_version = version.to_owned());
            assert_error(&env, "cache.engine_version", &[version, "use 7.1", "7.1, 7.0, 6.2"]);
        }
        for version in ["7.1", "7.0", "6.2"] {
            assert_clean(&with(|e| e.cache.engine_version = version.to_owned()));
        }
    }

    #[test]
    fn multi_az_needs_a_replica() {
        let env = with(|e| e.cache.replicas_per_shard = 0);
        assert_error(&env, "cache.multi_az", &["replicas_per_shard is 0", "1-5", "turn multi_az off"]);
        assert_clean(&with(|e| {
            e.cache.replicas_per_shard = 0;
            e.cache.multi_az = false;
        }));
    }

    #[test]
    fn shards_1_to_500() {
        assert_error(&with(|e| e.cache.shards = 0), "cache.shards", &["0 shards", "1-500"]);
        assert_error(&with(|e| e.cache.shards = 501), "cache.shards", &["501 shards", "1-500"]);
        assert_clean(&with(|e| {
            e.cache.shards = 500;
            e.cache.replicas_per_shard = 0;
            e.cache.multi_az = false;
        }));
    }

    #[test]
    fn replicas_0_to_5() {
        assert_error(&with(|e| e.cache.replicas_per_shard = 6), "cache.replicas_per_shard", &["6 replicas", "0-5"]);
        assert_clean(&with(|e| e.cache.replicas_per_shard = 5));
    }

    #[test]
    fn at_most_500_nodes() {
        let env = with(|e| {
            e.cache.shards = 100;
            e.cache.replicas_per_shard = 5;
        });
        assert_error(&env, "cache.shards", &["600 nodes", "at most 500", "at most 83 shards"]);
        assert_clean(&with(|e| {
            e.cache.shards = 83;
            e.cache.replicas_per_shard = 5;
        }));
    }

    #[test]
    fn snapshot_window_is_well_formed_and_an_hour() {
        let env = with(|e| e.cache.snapshot_window = "03:00_05:00".to_owned());
        assert_error(&env, "cache.snapshot_window", &["malformed", "hh24:mi-hh24:mi"]);
        let env = with(|e| e.cache.snapshot_window = "03:00-03:45".to_owned());
        assert_error(&env, "cache.snapshot_window", &["45 minutes", "ElastiCache", "at least 60"]);
        assert_clean(&with(|e| e.cache.snapshot_window = "04:00-05:00".to_owned()));
    }

    #[test]
    fn maintenance_window_is_well_formed_and_an_hour() {
        let env = with(|e| e.cache.maintenance_window = "sun:05:30-sun:6:30".to_owned());
        assert_error(&env, "cache.maintenance_window", &["malformed", "ddd:hh24:mi-ddd:hh24:mi"]);
        // 30 minutes is enough for RDS, not for ElastiCache.
        let env = with(|e| e.cache.maintenance_window = "sun:05:30-sun:06:00".to_owned());
        assert_error(&env, "cache.maintenance_window", &["30 minutes", "at least 60"]);
        assert_clean(&with(|e| e.cache.maintenance_window = "sat:23:30-sun:00:30".to_owned()));
    }

    #[test]
    fn snapshot_and_maintenance_windows_do_not_overlap() {
        let env = with(|e| e.cache.snapshot_window = "03:00-06:00".to_owned());
        assert_error(&env, "cache.snapshot_window", &["03:00-06:00", "overlaps", "sun:05:30-sun:06:30", "on sun"]);
        assert_clean(&with(|e| e.cache.snapshot_window = "03:30-05:30".to_owned()));
    }

    #[test]
    fn no_snapshots_with_a_window_is_fine() {
        assert_clean(&with(|e| e.cache.snapshot_retention_days = 0));
    }
}

mod robustness {
    use super::*;

    const STRINGS: &[&str] = &[
        "",
        "-",
        ":",
        "/",
        "//",
        "::",
        "a:b:c-d:e:f",
        "sun:24:00-mon:00:00",
        "99:99-99:99",
        "1.2.3.4/",
        "/24",
        "1.2.3.4/999",
        "255.255.255.255/32",
        "0.0.0.0/0",
        "::/0",
        "99999999999999999999.0",
        "15.",
        ".15",
        "15..4",
        "é",
        "０３:00-04:00",
        "sun:0é:00-sun:05:00",
        "\u{0}",
        "1.2.3.4/-1",
        "-1",
        "4294967296",
    ];

    /// Whatever the strings and numbers, the rules return findings instead of panicking,
    /// and the same findings every time.
    #[test]
    fn arbitrary_input_never_panics_and_is_deterministic() {
        for s in STRINGS {
            let s = s.to_string();
            let env = with(|e| {
                e.region = s.clone();
                e.availability_zones = vec![s.clone(), s.clone()];
                e.network.vpc_cidr = s.clone();
                e.network.public_subnets[0] = Subnet { cidr: s.clone(), availability_zone: s.clone() };
                e.network.database_subnets[1].cidr = s.clone();
                e.network.bastion_ssh_cidrs = vec![s.clone(), s.clone()];
                e.security.external_api_keys.expected_keys = vec![s.clone(), s.clone()];
                e.database.engine_version = s.clone();
                e.database.availability_zone = Some(s.clone());
                e.database.backup.window = s.clone();
                e.database.maintenance_window = s.clone();
                e.database.read_replicas[0].name = s.clone();
                e.database.read_replicas[0].availability_zone = s.clone();
                e.cache.engine_version = s.clone();
                e.cache.snapshot_window = s.clone();
                e.cache.maintenance_window = s.clone();
            });
            let first = check(&env);
            assert!(!first.is_empty());
            assert_eq!(first, check(&env));
        }
    }

    #[test]
    fn extreme_numbers_never_panic() {
        for n in [0, 1, u32::MAX - 1, u32::MAX] {
            let env = with(|e| {
                e.network.nat_gateways = u8::MAX;
                e.database.storage = DatabaseStorage {
                    allocated_gib: n,
                    max_allocated_gib: n,
                    iops: Some(n),
                    throughput_mibps: Some(n),
                };
                e.database.monitoring.enhanced_monitoring_interval_seconds = n;
                e.database.monitoring.performance_insights_retention_days = Some(n);
                e.cache.shards = n;
                e.cache.replicas_per_shard = n;
                e.cache.snapshot_retention_days = n;
            });
            let _ = check(&env);
        }
        let env = with(|e| {
            e.database.storage.iops = Some(u32::MAX);
            e.database.storage.throughput_mibps = Some(u32::MAX);
            e.cache.shards = 500;
            e.cache.replicas_per_shard = 5;
        });
        assert!(!check(&env).is_empty());
    }

    #[test]
    fn empty_lists_never_panic() {
        let env = with(|e| {
            e.availability_zones.clear();
            e.network.public_subnets.clear();
            e.network.private_subnets.clear();
            e.network.database_subnets.clear();
            e.security.external_api_keys.expected_keys.clear();
            e.database.settings.preload_libraries.clear();
            e.database.read_replicas.clear();
        });
        assert_findings(
            &env,
            &[
                (Severity::Error, "network.nat_gateways", &["0 public subnet"]),
                (Severity::Error, "network.database_subnets", &["only 0 availability zone"]),
                (Severity::Error, "database.multi_az", &["has 0"]),
            ],
        );
    }
}

/// A section that is missing (invalid in the file) turns off only the rules that read it.
#[test]
fn rules_run_on_the_sections_that_are_present() {
    let env = test_support::prod_with(|e| {
        e.api.cors_origins[0] = "http://matbakh.app".into();
        e.api.routes[0].function = "nope".into();
        e.cache.snapshot_window = "03:00-03:10".into();
    });
    let paths = |s: &super::Sections| super::check_sections(s).iter().map(|f| f.path.to_string()).collect::<Vec<_>>();
    let all = super::Sections::of(&env);
    assert_eq!(paths(&all), ["cache.snapshot_window", "api.cors_origins[0]", "api.routes[0].function"]);
    // Without `functions`, the route's function cannot be checked; the rest still is.
    assert_eq!(
        paths(&super::Sections { functions: None, ..all.clone() }),
        ["cache.snapshot_window", "api.cors_origins[0]"]
    );
    assert_eq!(
        paths(&super::Sections { cache: None, ..all.clone() }),
        ["api.cors_origins[0]", "api.routes[0].function"]
    );
    assert!(paths(&super::Sections::default()).is_empty());
}
