"""AWS::Route53::RecordSet through change sets (an A and an AAAA alias of one name, as the
api stack declares them), the seeded operator zones, and a probe that moto 5.2.5 still
removes every record of a name where local_aws/route53.py removes one."""

from moto.route53.models import RecordSet

from local_aws import route53
from local_aws._cfn import original
from conftest import ACCOUNT

TARGET = {"DNSName": "d-abc123.execute-api.eu-central-1.amazonaws.com", "HostedZoneId": "Z1U9ULNL0V5AJ3",
          "EvaluateTargetHealth": False}


def records_template(zone_id, comment="first", target=TARGET):
    def record(record_type):
        return {"Type": "AWS::Route53::RecordSet", "Properties": {
            "HostedZoneId": zone_id, "Name": "api.matbakh.app", "Type": record_type,
            "AliasTarget": target, "Comment": comment}}
    return {"Resources": {"A": record("A"), "Aaaa": record("AAAA")},
            "Outputs": {"ARef": {"Value": {"Ref": "A"}}}}


def aliases(aws, zone_id):
    sets = aws.client("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {r["Type"]: r["AliasTarget"]["DNSName"] for r in sets if "AliasTarget" in r}


def test_seeded_zones_have_the_configured_ids(aws):
    route53.seed_hosted_zones("Z0SEEDED0000000000001=matbakh.app,Z0SEEDED0000000000002=staging.matbakh.app", ACCOUNT)
    zones = {z["Name"]: z["Id"] for z in aws.client("route53").list_hosted_zones()["HostedZones"]}
    assert zones == {"matbakh.app.": "/hostedzone/Z0SEEDED0000000000001",
                     "staging.matbakh.app.": "/hostedzone/Z0SEEDED0000000000002"}


def test_alias_records_created_updated_one_by_one_and_deleted(aws):
    zone_id = aws.client("route53").create_hosted_zone(Name="matbakh.app", CallerReference="r1")["HostedZone"]["Id"]
    zone_id = zone_id.split("/")[-1]
    aws.deploy("dns", records_template(zone_id))
    assert aws.outputs("dns")["ARef"] == "api.matbakh.app"
    assert aliases(aws, zone_id) == {"A": TARGET["DNSName"], "AAAA": TARGET["DNSName"]}

    # Updating the A record leaves the AAAA record of the same name alone (issue 1).
    template = records_template(zone_id)
    moved = {**TARGET, "DNSName": "d-new456.execute-api.eu-central-1.amazonaws.com"}
    template["Resources"]["A"]["Properties"]["AliasTarget"] = moved
    aws.deploy("dns", template)
    assert aliases(aws, zone_id) == {"A": moved["DNSName"], "AAAA": TARGET["DNSName"]}

    # Removing one record from the template deletes that one only.
    del template["Resources"]["Aaaa"]
    aws.deploy("dns", template)
    assert aliases(aws, zone_id) == {"A": moved["DNSName"]}
    aws.cfn.delete_stack(StackName="dns")
    assert aliases(aws, zone_id) == {}


def test_probe_moto_update_removes_every_record_of_the_name(aws):
    zone_id = aws.client("route53").create_hosted_zone(Name="matbakh.app", CallerReference="r2")["HostedZone"]["Id"]
    zone_id = zone_id.split("/")[-1]
    template = records_template(zone_id)
    aws.deploy("dns", template)
    # moto's update deletes the original through this classmethod, then creates the new record.
    original(RecordSet, "delete_from_cloudformation_json")(
        "api.matbakh.app", template["Resources"]["A"], ACCOUNT, "eu-central-1")
    assert "AAAA" not in aliases(aws, zone_id), (
        "moto keeps the other records of a name on a RecordSet update upstream: remove the replacement in "
        "local_aws/route53.py (issue 1)")
