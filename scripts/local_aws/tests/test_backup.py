"""AWS::Backup::BackupVault, BackupPlan and BackupSelection through change sets, the
golden data templates' backup resources, and probes that moto 5.2.5 is still broken where
local_aws/backup.py works around it."""

import copy

import botocore.exceptions
import pytest
from moto.backup import models as moto_backup
from moto.backup import responses as moto_responses
from moto.core.common_models import CloudFormationModel

from conftest import ACCOUNT, REGION, golden_template

FIXED = "moto fixed {} upstream: remove the extension in local_aws/backup.py"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/backup"
DB = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:matbakh-t"


def template(days=35, tags=None, resources=(DB,)):
    return {
        "Resources": {
            "Vault": {"Type": "AWS::Backup::BackupVault", "Properties": {
                "BackupVaultName": "matbakh-t-rds", "EncryptionKeyArn": KEY,
                "BackupVaultTags": tags or {"environment": "t"}}},
            "Plan": {"Type": "AWS::Backup::BackupPlan", "Properties": {
                "BackupPlan": {"BackupPlanName": "matbakh-t-rds", "BackupPlanRule": [{
                    "RuleName": f"daily-{days}-days", "TargetBackupVault": {"Ref": "Vault"},
                    "ScheduleExpression": "cron(0 0 * * ? *)", "StartWindowMinutes": 60,
                    "CompletionWindowMinutes": 180, "Lifecycle": {"DeleteAfterDays": days},
                    "RecoveryPointTags": {"environment": "t"}}]},
                "BackupPlanTags": {"environment": "t"}}},
            "Selection": {"Type": "AWS::Backup::BackupSelection", "Properties": {
                "BackupPlanId": {"Ref": "Plan"},
                "BackupSelection": {"SelectionName": "matbakh-t-primary", "IamRoleArn": ROLE,
                                    "Resources": list(resources)}}},
        },
        "Outputs": {
            "Vault": {"Value": {"Ref": "Vault"}},
            "VaultArn": {"Value": {"Fn::GetAtt": ["Vault", "BackupVaultArn"]}},
            "Plan": {"Value": {"Ref": "Plan"}},
            "PlanArn": {"Value": {"Fn::GetAtt": ["Plan", "BackupPlanArn"]}},
            "Version": {"Value": {"Fn::GetAtt": ["Plan", "VersionId"]}},
            "Selection": {"Value": {"Ref": "Selection"}},
        },
    }  # fmt: skip


def test_vault_plan_and_selection_create_update_and_delete(aws):
    backup = aws.client("backup")
    aws.deploy("b", template())
    out = aws.outputs("b")
    assert out["Vault"] == "matbakh-t-rds"
    assert out["VaultArn"] == f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:matbakh-t-rds"
    vault = backup.describe_backup_vault(BackupVaultName="matbakh-t-rds")
    assert vault["EncryptionKeyArn"] == KEY
    assert backup.list_tags(ResourceArn=out["VaultArn"])["Tags"] == {"environment": "t"}

    plan = backup.get_backup_plan(BackupPlanId=out["Plan"])
    assert plan["BackupPlanArn"] == out["PlanArn"] and plan["VersionId"] == out["Version"]
    (rule,) = plan["BackupPlan"]["Rules"]
    assert (rule["RuleName"], rule["TargetBackupVaultName"]) == ("daily-35-days", "matbakh-t-rds")
    assert (rule["ScheduleExpression"], rule["StartWindowMinutes"], rule["CompletionWindowMinutes"]) == ("cron(0 0 * * ? *)", 60, 180)
    assert rule["Lifecycle"] == {"DeleteAfterDays": 35}

    selection = backup.get_backup_selection(BackupPlanId=out["Plan"], SelectionId=out["Selection"])
    assert selection["BackupSelection"]["Resources"] == [DB]
    assert selection["BackupSelection"]["IamRoleArn"] == ROLE
    listed = backup.list_backup_selections(BackupPlanId=out["Plan"])["BackupSelectionsList"]
    assert [s["SelectionName"] for s in listed] == ["matbakh-t-primary"]

    # Retention and vault tags update in place; the plan keeps its id, gets a new version.
    aws.deploy("b", template(days=7, tags={"environment": "t", "team": "data"}))
    after = aws.outputs("b")
    assert after["Plan"] == out["Plan"] and after["Version"] != out["Version"]
    (rule,) = backup.get_backup_plan(BackupPlanId=out["Plan"])["BackupPlan"]["Rules"]
    assert (rule["RuleName"], rule["Lifecycle"]) == ("daily-7-days", {"DeleteAfterDays": 7})
    assert backup.list_tags(ResourceArn=out["VaultArn"])["Tags"] == {"environment": "t", "team": "data"}

    # A changed selection is replaced (createOnly): a new id, the old one gone.
    other = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:matbakh-t2"
    aws.deploy("b", template(days=7, tags={"environment": "t", "team": "data"}, resources=[other]))
    replaced = aws.outputs("b")["Selection"]
    assert replaced != out["Selection"]
    listed = backup.list_backup_selections(BackupPlanId=out["Plan"])["BackupSelectionsList"]
    assert [s["SelectionId"] for s in listed] == [replaced]

    aws.cfn.delete_stack(StackName="b")
    assert backup.list_backup_vaults()["BackupVaultList"] == []
    assert backup.list_backup_plans()["BackupPlansList"] == []
    assert "DeletionDate" in backup.get_backup_plan(BackupPlanId=out["Plan"])


def test_a_plan_with_selections_cannot_be_deleted(aws):
    aws.deploy("b", template())
    out = aws.outputs("b")
    with pytest.raises(botocore.exceptions.ClientError, match="selections must be deleted"):
        aws.client("backup").delete_backup_plan(BackupPlanId=out["Plan"])


def test_vault_key_change_is_not_in_place(aws):
    from local_aws.backup import BackupVault

    aws.deploy("b", template())
    record = BackupVault(ACCOUNT, REGION, moto_backup.backup_backends[ACCOUNT][REGION].vaults["matbakh-t-rds"],
                         template()["Resources"]["Vault"]["Properties"])  # fmt: skip
    changed = copy.deepcopy(template()["Resources"]["Vault"])
    changed["Properties"]["EncryptionKeyArn"] = KEY.replace("1111", "9999")
    with pytest.raises(Exception, match="EncryptionKeyArn cannot be updated in place"):
        BackupVault.update_from_cloudformation_json(record, "matbakh-t-rds", changed, ACCOUNT, REGION)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_golden_data_template_backup_resources_deploy(aws, env):
    """The data stack's backup resources as rendered, the database's ARN standing in."""
    rendered = golden_template(env, "data")["Resources"]
    resources = {k: copy.deepcopy(rendered[k]) for k in ("BackupVault", "BackupPlan", "BackupSelection")}
    resources["BackupVault"]["Properties"]["EncryptionKeyArn"] = KEY
    selection = resources["BackupSelection"]["Properties"]["BackupSelection"]
    selection["IamRoleArn"], selection["Resources"] = ROLE, [DB]
    aws.deploy("d", {"Resources": resources})

    backup = aws.client("backup")
    assert backup.describe_backup_vault(BackupVaultName=f"matbakh-{env}-rds")["EncryptionKeyArn"] == KEY
    (plan,) = backup.list_backup_plans()["BackupPlansList"]
    (rule,) = backup.get_backup_plan(BackupPlanId=plan["BackupPlanId"])["BackupPlan"]["Rules"]
    days = rendered["BackupPlan"]["Properties"]["BackupPlan"]["BackupPlanRule"][0]["Lifecycle"]["DeleteAfterDays"]
    assert rule["Lifecycle"] == {"DeleteAfterDays": days} and rule["TargetBackupVaultName"] == f"matbakh-{env}-rds"
    (listed,) = backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])["BackupSelectionsList"]
    assert listed["SelectionName"] == f"matbakh-{env}-primary"


# --------------------------------------------------------------------------- probes: moto still broken


def test_probe_backup_types_are_no_cloudformation_models():
    for cls in (moto_backup.Vault, moto_backup.Plan):
        assert not issubclass(cls, CloudFormationModel), FIXED.format(f"the CloudFormation model of {cls.__name__}")


def test_probe_moto_has_no_backup_selections():
    from local_aws._cfn import ORIGINALS

    assert not hasattr(moto_backup.BackupBackend, "create_backup_selection"), FIXED.format("backup selections")
    assert ORIGINALS[(moto_responses.BackupResponse, "get_backup_selection")] is None, FIXED.format("GetBackupSelection")
