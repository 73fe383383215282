"""Lambda Invoke for ``nodejs*`` functions without Docker (awslambda.py, upstream issue L10).

One invocation = one ``node`` subprocess of the host running ``_node_bootstrap.js``, as the
Lambda Developer Guide describes the Node.js runtime ("Building Lambda functions with
Node.js", "Lambda runtime environment", "Using Lambda environment variables") and the Invoke
API reference its answers:

- code: the function's (or the qualified version's) deployment package, moto's
  ``LambdaFunction.code_bytes``, unpacked into a fresh temp dir that stands for
  ``/var/task`` (the cwd and ``LAMBDA_TASK_ROOT``); the layer versions' zips
  (``LayerVersion.code_bytes``) unpacked in the function's order into one dir standing for
  ``/opt`` (a later layer overwrites an earlier one's files);
  ``NODE_PATH=<opt>/nodejs/node<major>/node_modules:<opt>/nodejs/node_modules:<task>`` (Lambda's
  value without ``/var/runtime``).
- handler ``dir/file.export.path``: ``<task>/dir/file`` + ``.js``, ``.mjs`` or ``.cjs`` (ES module
  for ``.mjs`` and for ``.js`` under a ``package.json`` with ``"type": "module"``, else
  CommonJS); async handlers, callback handlers, ``context.succeed/fail/done``.
- environment: ``Environment.Variables``, then the reserved variables Lambda sets (they win:
  CreateFunction refuses them as keys); credentials are fake keys and ``AWS_ENDPOINT_URL`` is
  the local AWS that received the Invoke, so the SDK inside reaches it.
- context: awsRequestId, functionName, functionVersion, invokedFunctionArn (the qualified
  ARN the caller used), memoryLimitInMB, logGroupName, logStreamName,
  getRemainingTimeInMillis (from the function's Timeout).
- Timeout: the process group is killed after ``Timeout`` seconds; the answer is
  FunctionError Unhandled ``{"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: ID
  Error: Task timed out after N.00 seconds"}``, as Lambda reports it.
- logs: ``START`` / handler output (``console.*`` in Lambda's text format) / ``END`` /
  ``REPORT`` lines go to the function's log group (``LoggingConfig.LogGroup``, default
  ``/aws/lambda/NAME``) in a new stream ``YYYY/MM/DD/[VERSION]ID`` through moto's logs
  backend (so subscription filters fire); LogType Tail answers the base64 of their last 4 KB.
- InvocationType: RequestResponse runs and answers; DryRun answers 204 without running;
  Event answers 202 and runs in a background thread (``wait_for_events()`` joins them).

Not emulated: MemorySize (no memory limit), the runtime's Node.js major version (the host's
``node`` runs every ``nodejs*`` runtime; ``LOCAL_AWS_NODE`` names another binary), warm
starts (every invocation is a cold start in a new process), callbackWaitsForEmptyEventLoop
(the answer is sent as soon as the handler settles), Event retries / destinations / DLQs,
reserved concurrency throttling, the resource policy (any caller may invoke), response
streaming, X-Ray. Other runtimes and container images keep moto's (Docker) behaviour.
"""

from __future__ import annotations

import base64
import io
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
import zipfile
from datetime import datetime, timezone
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time_millis

from moto import settings

BOOTSTRAP = pathlib.Path(__file__).with_name("_node_bootstrap.js")
TAIL_BYTES = 4096
_EVENTS: list[threading.Thread] = []


class LocalRuntimeUnavailable(JsonRESTError):
    """The Node.js emulation cannot run here (Lambda's 500 ServiceException)."""

    code = 500

    def __init__(self, message: str):
        super().__init__("ServiceException", message)


class InvalidRequestContent(JsonRESTError):
    """Invoke's 400 for a payload that is not JSON."""

    code = 400

    def __init__(self, message: str):
        super().__init__("InvalidRequestContentException", message)


def emulates(fn: Any) -> bool:
    """Whether Invoke of ``fn`` runs here (a zip package of a ``nodejs*`` runtime)."""
    return (fn.run_time or "").startswith("nodejs") and getattr(fn, "package_type", "Zip") != "Image"


def node_binary() -> str:
    found = os.environ.get("LOCAL_AWS_NODE") or shutil.which("node")
    if not found or not os.access(found, os.X_OK):
        raise LocalRuntimeUnavailable(
            "local AWS: cannot run a Node.js Lambda function: no `node` executable on PATH. "
            "Install Node.js (or set LOCAL_AWS_NODE to a node binary) on the machine running the local AWS."
        )
    return found


def wait_for_events(timeout: float | None = None) -> None:
    """Joins the Event invocations started so far (tests; server shutdown)."""
    while _EVENTS:
        _EVENTS.pop(0).join(timeout)


def _unzip(data: bytes, into: pathlib.Path) -> None:
    if not data:
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            target = into / info.filename
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir():  # an earlier layer's dir of that name
                shutil.rmtree(target)
            target.write_bytes(archive.read(info))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode | 0o400)


def _endpoint(request_headers: Any) -> str:
    """The local AWS the caller reached (its Host header); moto's server settings when the
    request did not come over HTTP (in-process mock)."""
    host = (request_headers or {}).get("host") or (request_headers or {}).get("Host") or ""
    if host and "amazonaws.com" not in host:
        return f"http://{host}"
    return f"http://{settings.moto_server_host().split('://')[-1]}:{settings.moto_server_port()}"


def _major(runtime: str) -> str:
    match = re.match(r"nodejs(\d+)", runtime)
    return match.group(1) if match else ""


def _log_group(fn: Any) -> str:
    config = getattr(fn, "logging_config", None) or {}
    return config.get("LogGroup") or fn.logs_group_name


class Invocation:
    """One run of ``fn`` (a resolved version) on ``event`` (the raw payload)."""

    def __init__(self, fn: Any, event: bytes | str, invoked_arn: str, request_headers: Any):
        self.fn = fn
        self.event = event if isinstance(event, (bytes, str)) and event else "{}"
        self.invoked_arn = invoked_arn
        self.endpoint = _endpoint(request_headers)
        self.request_id = str(uuid.uuid4())
        now = datetime.now(timezone.utc)
        self.log_group = _log_group(fn)
        self.log_stream = f"{now:%Y/%m/%d}/[{fn.version}]{uuid.uuid4().hex}"
        self.log_lines: list[str] = []

    def environment(self, task: pathlib.Path, opt: pathlib.Path) -> dict[str, str]:
        fn = self.fn
        env = {k: str(v) for k, v in (fn.environment_vars or {}).items()}
        major = _major(fn.run_time)
        env.update(
            {
                "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
                "LANG": "en_US.UTF-8",
                "TZ": ":UTC",
                "_HANDLER": fn.handler,
                "AWS_REGION": fn.region,
                "AWS_DEFAULT_REGION": fn.region,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
                "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
                "AWS_LAMBDA_FUNCTION_VERSION": str(fn.version),
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
                "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group,
                "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "LAMBDA_TASK_ROOT": str(task),
                "LAMBDA_RUNTIME_DIR": str(BOOTSTRAP.parent),
                "NODE_PATH": ":".join(
                    [str(opt / "nodejs" / f"node{major}" / "node_modules"), str(opt / "nodejs" / "node_modules"), str(task)]
                ),
                "AWS_ACCESS_KEY_ID": "ASIALOCALAWSLAMBDA00",
                "AWS_SECRET_ACCESS_KEY": "local-aws-lambda-secret",
                "AWS_SESSION_TOKEN": "local-aws-lambda-session",
                "AWS_ENDPOINT_URL": self.endpoint,
                "_LOCAL_AWS_INVOKED_ARN": self.invoked_arn,
            }
        )
        return env

    def run(self) -> tuple[bytes, bool]:
        """Runs the handler: (payload, errored). Logs are in ``self.log_lines``."""
        node = node_binary()
        fn = self.fn
        timeout = int(fn.timeout or 3)
        self.log_lines.append(f"START RequestId: {self.request_id} Version: {fn.version}")
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="local-aws-lambda-") as tmp:
            root = pathlib.Path(tmp)
            task, opt = root / "task", root / "opt"
            task.mkdir()
            opt.mkdir()
            _unzip(fn.code_bytes, task)
            from moto.awslambda.utils import get_backend

            backend = get_backend(fn.account_id, fn.region)
            for layer in fn.layers or []:
                version = backend.layers_versions_by_arn(layer["Arn"])
                _unzip(getattr(version, "code_bytes", b""), opt)
            event_file, result_file = root / "event.json", root / "result.json"
            event_file.write_bytes(self.event.encode() if isinstance(self.event, str) else self.event)
            deadline = int(time.time() * 1000) + timeout * 1000
            process = subprocess.Popen(
                [node, str(BOOTSTRAP), fn.handler, str(event_file), str(result_file), self.request_id, str(deadline)],
                cwd=task,
                env=self.environment(task, opt),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            timed_out = False
            try:
                output, _ = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
            self.log_lines.extend(output.decode("utf-8", "replace").splitlines())
            if timed_out:
                message = f"Task timed out after {timeout:.2f} seconds"
                self.log_lines.append(f"{datetime.now(timezone.utc).isoformat()} {self.request_id} {message}")
                payload = {"errorType": "Sandbox.Timedout", "errorMessage": f"RequestId: {self.request_id} Error: {message}"}
                result, errored = json.dumps(payload).encode(), True
            elif result_file.exists():
                outcome = json.loads(result_file.read_text())
                if "error" in outcome:
                    result, errored = json.dumps(outcome["error"]).encode(), True
                else:
                    result, errored = outcome["result"].encode(), False
            else:
                # The process ended without an answer (process.exit in the handler, a crash).
                payload = {
                    "errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {self.request_id} Error: Runtime exited with error: exit status {process.returncode}",
                }
                result, errored = json.dumps(payload).encode(), True
        duration = (time.monotonic() - started) * 1000
        self.log_lines.append(f"END RequestId: {self.request_id}")
        self.log_lines.append(
            f"REPORT RequestId: {self.request_id}\tDuration: {duration:.2f} ms\tBilled Duration: {int(duration) + 1} ms\t"
            f"Memory Size: {fn.memory_size} MB\tMax Memory Used: 0 MB"
        )
        self.save_logs()
        return result, errored

    def save_logs(self) -> None:
        logs = self.fn.logs_backend
        logs.ensure_log_group(self.log_group)
        logs.create_log_stream(self.log_group, self.log_stream)
        now = int(unix_time_millis())
        logs.put_log_events(self.log_group, self.log_stream, [{"timestamp": now, "message": line} for line in self.log_lines if line])

    def tail(self) -> str:
        text = "".join(line + "\n" for line in self.log_lines).encode()
        return base64.b64encode(text[-TAIL_BYTES:]).decode()


def invoke(fn: Any, body: Any, request_headers: Any, response_headers: dict[str, str], invoked_arn: str) -> bytes:
    """The Invoke API on a resolved function version: returns the payload and fills the
    response headers (moto's LambdaResponse.invoke picks the status code)."""
    headers = request_headers or {}
    kind = headers.get("x-amz-invocation-type") or headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    log_type = headers.get("x-amz-log-type") or headers.get("X-Amz-Log-Type")
    if isinstance(body, dict):
        body = json.dumps(body)
    try:
        json.loads(body or "{}")
    except ValueError:
        raise InvalidRequestContent("Could not parse request body into json: the payload is not valid JSON") from None
    if kind == "DryRun":
        return b""
    node_binary()
    invocation = Invocation(fn, body or "{}", invoked_arn, headers)
    if kind == "Event":
        thread = threading.Thread(target=invocation.run, name=f"lambda-event-{invocation.request_id}", daemon=True)
        _EVENTS.append(thread)
        thread.start()
        return b""
    payload, errored = invocation.run()
    response_headers["x-amz-executed-version"] = str(fn.version)
    if errored:
        response_headers["x-amz-function-error"] = "Unhandled"
    if log_type == "Tail":
        response_headers["x-amz-log-result"] = invocation.tail()
    return payload
