//! The registry tables generated from the pinned cfn-lint: staleness and spot checks
//! of facts plan and drift rely on.

use std::path::Path;
use std::process::Command;

use matbakh_infra::cfn::registry::{POSTGRES_ENGINE_VERSIONS, RESOURCE_SCHEMAS, ResourceSchema, runtime, schema};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema_of(type_name: &str) -> &'static ResourceSchema {
    schema(type_name).unwrap_or_else(|| panic!("{type_name} missing from RESOURCE_SCHEMAS"))
}

#[test]
fn generated_tables_are_current() {
    let python = manifest_dir().join(".venv/bin/python");
    assert!(python.exists(), "{} not found: run bash scripts/setup.sh first", python.display());
    let out = Command::new(&python)
        .arg("scripts/gen_registry.py")
        .arg("--check")
        .current_dir(manifest_dir())
        .output()
        .expect("run scripts/gen_registry.py --check");
    assert!(
        out.status.success(),
        "scripts/gen_registry.py --check failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_listed_type_is_in_the_table() {
    let list = std::fs::read_to_string(manifest_dir().join("scripts/registry-types.txt"))
        .expect("read scripts/registry-types.txt");
    let types: Vec<&str> = list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert!(!types.is_empty());
    for t in &types {
        assert!(schema(t).is_some(), "{t} is listed in scripts/registry-types.txt but not in RESOURCE_SCHEMAS");
    }
    assert_eq!(RESOURCE_SCHEMAS.len(), types.len(), "RESOURCE_SCHEMAS has types not in the list");
}

#[test]
fn table_is_sorted_and_lists_are_canonical() {
    assert!(
        RESOURCE_SCHEMAS.windows(2).all(|w| w[0].type_name < w[1].type_name),
        "RESOURCE_SCHEMAS must be strictly sorted by type_name (schema() binary-searches it)"
    );
    for s in RESOURCE_SCHEMAS {
        for list in [s.create_only, s.conditional_create_only, s.write_only, s.read_only, s.primary_identifier] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{}: {list:?} not sorted/unique", s.type_name);
            assert!(
                list.iter().all(|p| !p.is_empty() && !p.starts_with('/') && !p.starts_with("properties/")),
                "{}: {list:?} has a path that is not relative to /properties/",
                s.type_name
            );
        }
        assert!(!s.primary_identifier.is_empty(), "{} has no primary identifier", s.type_name);
    }
}

#[test]
fn rds_db_instance_replacement_facts() {
    let s = schema_of("AWS::RDS::DBInstance");
    assert!(s.create_only.contains(&"DBInstanceIdentifier"));
    assert!(s.create_only.contains(&"KmsKeyId"));
    assert!(s.conditional_create_only.contains(&"MultiAZ"));
    assert!(s.read_only.contains(&"Endpoint/Address"));
}

#[test]
fn write_only_facts() {
    let rg = schema_of("AWS::ElastiCache::ReplicationGroup");
    assert!(rg.write_only.contains(&"EngineVersion"));
    // The registry marks the members of `Code` write-only, not `Code` itself.
    let f = schema_of("AWS::Lambda::Function");
    for p in ["Code/ZipFile", "Code/S3Bucket", "Code/S3Key", "Code/ImageUri"] {
        assert!(f.write_only.contains(&p), "AWS::Lambda::Function write_only lacks {p}: {:?}", f.write_only);
    }
}

#[test]
fn create_only_facts_and_array_items() {
    assert!(schema_of("AWS::EC2::VPC").create_only.contains(&"CidrBlock"));
    assert!(
        schema_of("AWS::EC2::SecurityGroup").write_only.contains(&"SecurityGroupIngress/*/SourceSecurityGroupName"),
        "array items are kept as `*`"
    );
}

#[test]
fn unknown_type_has_no_schema() {
    assert!(schema("AWS::Nope::Nope").is_none());
}

#[test]
fn postgres_engine_versions() {
    let pg = &POSTGRES_ENGINE_VERSIONS;
    assert_eq!(pg.engine, "postgres");
    assert!(pg.is_known("15.4"));
    assert!(pg.is_deprecated("15.4"));
    assert!(pg.deprecated.iter().all(|v| pg.is_known(v)), "deprecated versions must be known");
    let latest = pg.latest_supported_minor("15").expect("a supported 15.x");
    assert!(latest.starts_with("15."), "{latest}");
    assert!(pg.is_known(latest));
    assert!(!pg.is_deprecated(latest), "{latest} is deprecated");
    assert!(!pg.is_known("15.999"));
    // Sorted by version, not lexically: 9.x before 10, 15.4 before 15.10.
    let pos = |v: &str| pg.known.iter().position(|k| *k == v).unwrap_or_else(|| panic!("{v} unknown"));
    assert!(pos("9.6.24") < pos("10"));
    assert!(pos("15.4") < pos("15.10"));
}

#[test]
fn lambda_runtime_lifecycle() {
    let r = runtime("nodejs20.x").expect("nodejs20.x lifecycle");
    assert_eq!(r.name, "nodejs20.x");
    assert!(r.deprecated.is_some());
    assert!(runtime("nodejs0.x").is_none());
    assert!(matbakh_infra::cfn::registry::LAMBDA_RUNTIMES.windows(2).all(|w| w[0].name < w[1].name));
}
