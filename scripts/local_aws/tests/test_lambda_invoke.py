"""Invoke of Node.js functions without Docker (local_aws/_lambda_runtime.py, upstream issue
L10 in local_aws/awslambda.py), and a probe that moto's own Invoke still needs Docker."""

import base64
import io
import json
import pathlib
import shutil
import zipfile

import pytest
from botocore.exceptions import ClientError
from moto.awslambda import models as moto_lambda
from moto.awslambda.utils import get_backend

from _support import BUCKET
from conftest import ACCOUNT, REGION, REPO
from local_aws import _cfn, _lambda_runtime

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node on PATH (as the local AWS does)")

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"


def zip_files(files):
    """{path in the zip: text} -> zip bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def zip_dir(root):
    """A directory zipped with paths relative to it, as synth zips an asset directory."""
    root = pathlib.Path(root)
    return zip_files({p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()})


def role(aws):
    iam = aws.client("iam")
    try:
        return iam.get_role(RoleName="lambda-role")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        return iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def create(aws, code, name="inv-fn", layers=(), **config):
    lam = aws.client("lambda")
    role(aws)
    arns = []
    for i, content in enumerate(layers):
        arns.append(lam.publish_layer_version(LayerName=f"inv-layer-{i}", Content={"ZipFile": content})["LayerVersionArn"])
    spec = {"Runtime": "nodejs22.x", "Handler": "index.handler", "Timeout": 10, **config}
    lam.create_function(FunctionName=name, Role=ROLE_ARN, Code={"ZipFile": code}, Layers=arns, **spec)
    return lam


def invoke(lam, name="inv-fn", event=None, **kwargs):
    got = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **kwargs)
    return got, got["Payload"].read().decode()


def log_messages(aws, group):
    logs = aws.client("logs")
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    return [
        [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=s["logStreamName"])["events"]]
        for s in streams
    ]


def test_a_function_with_layers_returns_its_result(aws):
    code = zip_files(
        {
            "index.js": "const { json } = require('@matbakh/shared-utils');\n"
            "const { greet } = require('greet');\n"
            "const { mark } = require('only22');\n"
            "exports.handler = async (event) => json(200, { hello: mark(greet(event.name)) });\n"
        }
    )
    shared_utils = zip_dir(REPO / "examples" / "layers" / "shared-utils")
    first = zip_files({"nodejs/node_modules/greet/index.js": "exports.greet = (n) => 'first ' + n;"})
    # a later layer overwrites an earlier one's files; node<major>/node_modules is on NODE_PATH too
    second = zip_files(
        {
            "nodejs/node_modules/greet/index.js": "exports.greet = (n) => 'second ' + n;",
            "nodejs/node22/node_modules/only22/index.js": "exports.mark = (s) => s + '!';",
        }
    )
    lam = create(aws, code, layers=[shared_utils, first, second])
    got, payload = invoke(lam, event={"name": "Ada"})
    assert got["StatusCode"] == 200 and "FunctionError" not in got
    assert got["ExecutedVersion"] == "$LATEST"
    assert json.loads(payload) == {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"hello": "second Ada!"}, separators=(",", ":")),
    }


def test_module_kinds_nested_handlers_and_callbacks(aws):
    code = zip_files(
        {
            "src/esm.mjs": "export const handler = async (e) => ({ kind: 'esm', e });",
            "cjs.cjs": "module.exports.handler = (e, ctx, cb) => setTimeout(() => cb(null, { kind: 'callback' }), 5);",
            "lib/nested.js": "exports.api = { handler: async () => 'nested' };",
        }
    )
    lam = create(aws, code, Handler="src/esm.handler")
    assert json.loads(invoke(lam, event={"a": 1})[1]) == {"kind": "esm", "e": {"a": 1}}
    for handler, want in (("cjs.handler", {"kind": "callback"}), ("lib/nested.api.handler", "nested")):
        lam.update_function_configuration(FunctionName="inv-fn", Handler=handler)
        assert json.loads(invoke(lam)[1]) == want
    lam.update_function_configuration(FunctionName="inv-fn", Handler="missing.handler")
    got, payload = invoke(lam)
    assert got["FunctionError"] == "Unhandled"
    assert json.loads(payload)["errorType"] == "Runtime.ImportModuleError"
    lam.update_function_configuration(FunctionName="inv-fn", Handler="cjs.nothere")
    assert json.loads(invoke(lam)[1])["errorType"] == "Runtime.HandlerNotFound"


def test_environment_reserved_variables_and_context(aws):
    code = zip_files(
        {
            "index.js": "exports.handler = async (event, context) => ({\n"
            "  env: process.env, cwd: process.cwd(),\n"
            "  context: { awsRequestId: context.awsRequestId, functionName: context.functionName,\n"
            "    functionVersion: context.functionVersion, invokedFunctionArn: context.invokedFunctionArn,\n"
            "    memoryLimitInMB: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis() } });"
        }
    )
    lam = create(aws, code, MemorySize=256, Timeout=7, Environment={"Variables": {"STAGE": "test", "AWS_REGION_HINT": "x"}})
    got, payload = invoke(lam)
    out = json.loads(payload)
    env = out["env"]
    assert env["STAGE"] == "test" and env["AWS_REGION_HINT"] == "x"
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == (REGION, REGION)
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "inv-fn"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs22.x"
    assert env["_HANDLER"] == "index.handler"
    assert env["LAMBDA_TASK_ROOT"] == out["cwd"]
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/inv-fn"
    assert env["NODE_PATH"].split(":")[:2] == [
        str(pathlib.Path(out["cwd"]).parent / "opt" / "nodejs" / "node22" / "node_modules"),
        str(pathlib.Path(out["cwd"]).parent / "opt" / "nodejs" / "node_modules"),
    ]
    assert env["AWS_ENDPOINT_URL"].startswith("http://")
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} <= set(env)
    assert "_LOCAL_AWS_INVOKED_ARN" not in env
    ctx = out["context"]
    assert ctx["functionName"] == "inv-fn" and ctx["functionVersion"] == "$LATEST"
    assert ctx["invokedFunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:inv-fn"
    assert ctx["memoryLimitInMB"] == "256"
    assert len(ctx["awsRequestId"]) == 36
    assert 0 < ctx["remaining"] <= 7000


def test_a_thrown_error_is_an_unhandled_function_error(aws):
    code = zip_files(
        {"index.js": "class NotFound extends Error { constructor(m) { super(m); this.name = 'NotFound'; } }\n"
         "exports.handler = async () => { console.log('about to fail'); throw new NotFound('no such order'); };"}
    )
    lam = create(aws, code)
    got, payload = invoke(lam)
    assert got["StatusCode"] == 200
    assert got["FunctionError"] == "Unhandled"
    error = json.loads(payload)
    assert (error["errorType"], error["errorMessage"]) == ("NotFound", "no such order")
    assert error["trace"][0] == "NotFound: no such order"
    [messages] = log_messages(aws, "/aws/lambda/inv-fn")
    assert any(m.endswith("\tINFO\tabout to fail") for m in messages)
    assert any("\tERROR\tInvoke Error \t" in m and "no such order" in m for m in messages)


def test_timeout_kills_the_run_and_reports_it(aws):
    code = zip_files({"index.js": "exports.handler = () => new Promise(() => setInterval(() => {}, 1000));"})
    lam = create(aws, code, Timeout=1)
    got, payload = invoke(lam)
    assert got["FunctionError"] == "Unhandled"
    error = json.loads(payload)
    assert error["errorType"] == "Sandbox.Timedout"
    assert error["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")
    [messages] = log_messages(aws, "/aws/lambda/inv-fn")
    assert any(m.endswith("Task timed out after 1.00 seconds") for m in messages)


def test_a_qualifier_runs_that_versions_code_and_configuration(aws):
    v1 = zip_files({"index.js": "exports.handler = async () => ['one', process.env.N];"})
    v2 = zip_files({"index.js": "exports.handler = async () => ['two', process.env.N];"})
    lam = create(aws, v1, Environment={"Variables": {"N": "a"}})
    assert lam.publish_version(FunctionName="inv-fn")["Version"] == "1"
    lam.create_alias(FunctionName="inv-fn", Name="live", FunctionVersion="1")
    lam.update_function_code(FunctionName="inv-fn", ZipFile=v2)
    lam.update_function_configuration(FunctionName="inv-fn", Environment={"Variables": {"N": "b"}})
    assert json.loads(invoke(lam)[1]) == ["two", "b"]
    for qualified in ({"Qualifier": "1"}, {"Qualifier": "live"}, {"FunctionName": "inv-fn:live"}):
        args = {"name": qualified.pop("FunctionName", "inv-fn"), **qualified}
        got, payload = invoke(lam, **args)
        assert json.loads(payload) == ["one", "a"], qualified
        assert got["ExecutedVersion"] == "1"


def test_log_tail_and_the_log_group(aws):
    code = zip_files({"index.js": "exports.handler = async (e) => { console.log('event', JSON.stringify(e)); console.error('careful'); return 1; };"})
    lam = create(aws, code)
    got, payload = invoke(lam, event={"k": "v"}, LogType="Tail")
    assert payload == "1"
    tail = base64.b64decode(got["LogResult"]).decode()
    lines = tail.splitlines()
    assert lines[0].startswith("START RequestId: ") and lines[-1].startswith("REPORT RequestId: ")
    assert any(l.endswith('\tINFO\tevent {"k":"v"}') for l in lines)
    assert any(l.endswith("\tERROR\tcareful") for l in lines)
    assert "LogResult" not in invoke(lam)[0]
    runs = log_messages(aws, "/aws/lambda/inv-fn")
    assert len(runs) == 2  # a stream per invocation
    assert all(r[0].startswith("START RequestId: ") for r in runs)
    assert any(m.endswith("\tERROR\tcareful") for m in runs[0] + runs[1])


def test_long_output_tail_is_the_last_4_kb(aws):
    code = zip_files({"index.js": "exports.handler = async () => { for (let i = 0; i < 500; i++) console.log('line ' + i); };"})
    lam = create(aws, code)
    got, payload = invoke(lam, LogType="Tail")
    assert payload == "null"
    tail = base64.b64decode(got["LogResult"])
    assert len(tail) == 4096 and b"line 499" in tail and b"line 0\n" not in tail


def test_log_subscription_sees_the_output(aws):
    """The run's lines are put through moto's logs backend, so subscription filters fire."""
    from moto.logs.models import logs_backends

    code = zip_files({"index.js": "exports.handler = async () => { console.log('subscribed line'); return 'ok'; };"})
    lam = create(aws, code)
    seen = []
    backend = logs_backends[ACCOUNT][REGION]
    original = backend.put_log_events

    def spy(group, stream, events):
        seen.extend((group, e["message"]) for e in events)
        return original(group, stream, events)

    backend.put_log_events = spy
    try:
        invoke(lam)
    finally:
        del backend.put_log_events
    assert any(g == "/aws/lambda/inv-fn" and m.endswith("\tINFO\tsubscribed line") for g, m in seen)


def test_event_invocation_is_accepted_and_runs(aws):
    code = zip_files({"index.js": "exports.handler = async (e) => { console.log('async', e.n); };"})
    lam = create(aws, code)
    got = lam.invoke(FunctionName="inv-fn", InvocationType="Event", Payload=b'{"n": 42}')
    assert got["StatusCode"] == 202
    _lambda_runtime.wait_for_events()
    [messages] = log_messages(aws, "/aws/lambda/inv-fn")
    assert any(m.endswith("\tINFO\tasync 42") for m in messages)


def test_dry_run_does_not_run(aws):
    lam = create(aws, zip_files({"index.js": "exports.handler = async () => 1;"}))
    assert lam.invoke(FunctionName="inv-fn", InvocationType="DryRun")["StatusCode"] == 204
    assert aws.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/inv-fn")["logGroups"] == []


def test_missing_node_is_a_clear_error(aws, monkeypatch):
    lam = create(aws, zip_files({"index.js": "exports.handler = async () => 1;"}))
    monkeypatch.setenv("LOCAL_AWS_NODE", "/nonexistent/node")
    with pytest.raises(ClientError) as raised:
        invoke(lam)
    assert raised.value.response["Error"]["Code"] == "ServiceException"
    assert "no `node` executable" in raised.value.response["Error"]["Message"]
    assert lam.invoke(FunctionName="inv-fn", InvocationType="DryRun")["StatusCode"] == 204  # nothing runs


def test_a_payload_that_is_not_json_is_refused(aws):
    lam = create(aws, zip_files({"index.js": "exports.handler = async () => 1;"}))
    with pytest.raises(ClientError) as raised:
        lam.invoke(FunctionName="inv-fn", Payload=b"{not json")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestContentException"


def test_moto_callers_run_the_function_too(aws):
    """SNS delivers to a subscribed function through LambdaFunction.invoke."""
    lam = create(aws, zip_files({"index.js": "exports.handler = async (e) => { console.log('sns', e.Records[0].Sns.Message); };"}))
    sns = aws.client("sns")
    topic = sns.create_topic(Name="inv-topic")["TopicArn"]
    arn = lam.get_function(FunctionName="inv-fn")["Configuration"]["FunctionArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="hello from sns")
    [messages] = log_messages(aws, "/aws/lambda/inv-fn")
    assert any(m.endswith("\tINFO\tsns hello from sns") for m in messages)


def test_golden_pre_sign_up_answers_cognito(aws):
    """examples/functions/pre-sign-up zipped as synth zips it, with the shared-utils layer,
    invoked with the event Cognito sends (Cognito developer guide, pre sign-up trigger)."""
    lam = create(
        aws,
        zip_dir(REPO / "examples" / "functions" / "pre-sign-up"),
        name="matbakh-dev-pre-sign-up",
        layers=[zip_dir(REPO / "examples" / "layers" / "shared-utils")],
    )

    def event(email):
        return {
            "version": "1",
            "region": REGION,
            "userPoolId": f"{REGION}_AbCdEf123",
            "userName": "a1b2c3",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1a2b3c"},
            "triggerSource": "PreSignUp_SignUp",
            "request": {"userAttributes": {"email": email}, "validationData": None},
            "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
        }

    got, payload = invoke(lam, "matbakh-dev-pre-sign-up", event("team@matbakh.app"))
    answer = json.loads(payload)
    assert "FunctionError" not in got
    assert answer["response"] == {"autoConfirmUser": True, "autoVerifyEmail": True, "autoVerifyPhone": False}
    assert answer["userName"] == "a1b2c3" and answer["triggerSource"] == "PreSignUp_SignUp"
    got, payload = invoke(lam, "matbakh-dev-pre-sign-up", event("owner@restaurant-example.de"))
    assert json.loads(payload)["response"] == {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
    got, payload = invoke(lam, "matbakh-dev-pre-sign-up", event("someone@gmail.com"))
    assert got["FunctionError"] == "Unhandled"
    assert json.loads(payload)["errorMessage"] == "Please use a business email address"


def test_function_from_cloudformation_s3_asset_invokes(aws):
    """The path our CloudFormation model takes: code from an S3 asset."""
    role(aws)
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=BUCKET, Key="fn.zip", Body=zip_files({"index.js": "exports.handler = async () => 'from s3';"}))
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": "inv-cfn",
                    "Runtime": "nodejs22.x",
                    "Handler": "index.handler",
                    "Role": ROLE_ARN,
                    "Code": {"S3Bucket": BUCKET, "S3Key": "fn.zip"},
                },
            }
        }
    }
    aws.deploy("inv", template)
    assert invoke(aws.client("lambda"), "inv-cfn")[1] == '"from s3"'


# --------------------------------------------------------------------------- probe: moto still needs Docker


def test_probe_moto_invoke_needs_docker(aws):
    lam = create(aws, zip_files({"index.js": "exports.handler = async () => ({ ok: 1 });"}))
    fn = get_backend(ACCOUNT, REGION).get_function("inv-fn")
    headers = {}
    try:
        payload = _cfn.original(moto_lambda.LambdaFunction, "invoke")(fn, "{}", {}, headers)
    except ImportError as e:  # the docker package is not even installed
        payload = f"error running docker: {e}"
    text = payload.decode() if isinstance(payload, bytes) else str(payload)
    assert "docker" in text.lower() and '{"ok":1}' not in text, (
        "moto's Invoke ran a Node.js function without Docker upstream: "
        "remove the Invoke extension (L10) in local_aws/awslambda.py and local_aws/_lambda_runtime.py"
    )
    assert lam  # the function exists; only the runtime is missing


def test_probe_moto_invoke_ignores_the_qualifier_parameter(aws, monkeypatch):
    from moto.awslambda import responses as moto_responses

    v1 = zip_files({"index.js": "exports.handler = async () => 'one';"})
    lam = create(aws, v1)
    lam.publish_version(FunctionName="inv-fn")
    lam.update_function_code(FunctionName="inv-fn", ZipFile=zip_files({"index.js": "exports.handler = async () => 'two';"}))
    monkeypatch.setattr(moto_responses.LambdaResponse, "invoke", _cfn.original(moto_responses.LambdaResponse, "invoke"))
    got, payload = invoke(lam, Qualifier="1")
    assert (payload, got["ExecutedVersion"]) == ('"two"', "$LATEST"), (
        "moto honours Invoke's Qualifier query parameter upstream: remove _invoke_response (L11) in local_aws/awslambda.py"
    )


# --------------------------------------------------------------------------- through the server


@pytest.fixture
def server():
    """``python -m local_aws`` on a free port, as scripts/local-aws.sh starts it."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    scripts = pathlib.Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "local_aws", "-H", "127.0.0.1", "-p", str(port)],
        cwd=scripts, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # start-up, not an assertion: at most 60 s
            try:
                urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("local AWS server exited")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait()


def test_through_the_server_the_function_reaches_the_local_aws(server):
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    iam, lam = session.client("iam", endpoint_url=server), session.client("lambda", endpoint_url=server)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role_arn = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = zip_files(
        {"index.js": "exports.handler = async () => {\n"
         "  // ListFunctions as the SDK sends it (moto does not check signatures)\n"
         "  const env = process.env;\n"
         "  const scope = `${env.AWS_ACCESS_KEY_ID}/20260101/${env.AWS_REGION}/lambda/aws4_request`;\n"
         "  const r = await fetch(env.AWS_ENDPOINT_URL + '/2015-03-31/functions/', { headers: {\n"
         "    authorization: `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host, Signature=0`,\n"
         "    'x-amz-security-token': env.AWS_SESSION_TOKEN } });\n"
         "  const names = (await r.json()).Functions.map((f) => f.FunctionName);\n"
         "  return { endpoint: env.AWS_ENDPOINT_URL, status: r.status, names };\n"
         "};"}
    )
    lam.create_function(FunctionName="srv", Role=role_arn, Runtime="nodejs22.x", Handler="index.handler", Code={"ZipFile": code})
    got = lam.invoke(FunctionName="srv", LogType="Tail")
    assert "FunctionError" not in got, got["Payload"].read()
    assert json.loads(got["Payload"].read()) == {"endpoint": server, "status": 200, "names": ["srv"]}
    assert base64.b64decode(got["LogResult"]).decode().startswith("START RequestId: ")
    assert lam.invoke(FunctionName="srv", InvocationType="Event")["StatusCode"] == 202
