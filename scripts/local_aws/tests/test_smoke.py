def test_deploy_helper_creates_a_stack_through_a_change_set(aws):
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}},
                "Outputs": {"Arn": {"Value": {"Ref": "Topic"}}}}
    stack = aws.deploy("smoke", template)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
