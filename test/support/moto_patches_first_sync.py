"""What the first sync (issue 12) needs from moto 5.2.1 beyond what it does; moto_server.py
imports this module, which patches moto when imported. Each patch is proven needed by a test
in test/integration/local-aws-{step-functions,lambda-invoke,export-import}.test.ts, which
fail against stock moto_server (MOTO_SERVER=moto_server).

- Step Functions executes state machines (moto only records them unless configured to);
  a second StartExecution no longer fails with "cannot pickle '_thread.RLock'" (moto
  deep-copies the state machine with its executions, whose locks cannot be copied), and
  an execution without a name gets a UUID as on AWS (moto names it "None", so the second
  one is refused as already existing).
- A state machine's calls (Lambda tasks, the Map's S3 ItemReader) act with its execution
  role's credentials, hence in that role's account, as on AWS; moto makes them with fixed
  keys that land in its default account. An AWS SDK task's result holds its timestamps as
  strings (moto kept datetimes, and DescribeExecution of a run whose output held one failed;
  test/integration/importer.test.ts shows it).
- Distributed Map: a failed child is counted once (moto leaves it "running" too), fails the
  Map Run and the Map state past the tolerated failure count and percentage, as on AWS
  (moto never fails the run), and is listed by ListExecutions(mapRunArn) and described by
  DescribeExecution with its input, error and cause (moto keeps no child executions). A
  failed run waits for the children still running (AWS aborts them) so its counts are final.
- Lambda's Invoke API runs the function through a local Lambda service when
  DDBSYNC_LOCAL_LAMBDA_URL is set (test/support/local-lambda-service.ts); moto would run
  it in Docker, absent here. Only the Invoke API is forwarded: moto's own deliveries (event
  source mappings) keep their behaviour. GetFunction's Code.Location is a URL on this
  server that serves the deployment package moto stored, as AWS's is a presigned URL.
- ImportTable reads each line of each object with Python's json module and writes it
  through moto's item model; moto's own parser drops every item after an empty map and
  mangles escapes, yet reports COMPLETED. The bucket is looked up in S3BucketOwner's
  account when that is given (moto ignores it).
- A bucket policy's Deny that applies only to requests without TLS ({"Bool":
  {"aws:SecureTransport": "false"}}, as modules/first-sync's export bucket has) does not
  refuse this server's requests: moto ignores a statement's Condition, so it refused every
  GetObject of such a bucket (HTTP 403 without a body), which on AWS, over HTTPS, it never
  does. Other statements are evaluated by moto as before.
  Needed by: test/integration/local-aws-s3-policy.test.ts, test/e2e/first-sync.test.ts.
- ExportTableToPointInTime writes what AWS writes, where AWS writes it: the export ARN is
  table/<name>/export/<id>, the items go to <prefix>/AWSDynamoDB/<id>/data/<file>.json.gz,
  next to _started, manifest-summary.json and manifest-files.json (with .md5 files); S3Prefix
  may be omitted; DescribeExport reports ExportManifest, StartTime, EndTime and ExportTime.
  A snapshot that a concurrent write interrupts ("dictionary changed size") is read again.
"""
import base64
import gzip
import hashlib
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from moto.core.config import default_user_config
from moto.core.exceptions import JsonRESTError

LOCAL_LAMBDA_URL_ENV = "DDBSYNC_LOCAL_LAMBDA_URL"
LAMBDA_CODE_PATH = "/moto-api/ddbsync/lambda-code"
# Lambda's longest timeout; the service may also queue an invocation behind others.
_LAMBDA_MAX_SECONDS = 900


# --- Step Functions -------------------------------------------------------------------


def _run_state_machines() -> None:
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    # moto's interpreter takes seconds to import: patch it when first needed, not at start.
    from moto.stepfunctions import responses

    get_backend = responses.get_backend
    patched: list[bool] = []
    lock = threading.Lock()

    def get_patched_backend(account: str, region: str):
        with lock:
            if not patched:
                _start_executions()
                _act_as_execution_role()
                _distributed_map_like_aws()
                _sdk_results_as_json()
                patched.append(True)
        return get_backend(account, region)

    responses.get_backend = get_patched_backend


def _start_executions() -> None:
    from moto.stepfunctions.parser.backend.execution import Execution
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    # An execution is a running thing, not part of the definition that StartExecution
    # snapshots: the copy shares it.
    Execution.__deepcopy__ = lambda self, memo: self

    start = StepFunctionsParserBackend.start_execution

    def start_execution(self, state_machine_arn, name=None, execution_input=None, trace_header=None):
        return start(self, state_machine_arn, name or str(uuid.uuid4()), execution_input, trace_header)

    StepFunctionsParserBackend.start_execution = start_execution


def _sdk_results_as_json() -> None:
    """An AWS SDK integration's result is JSON, its timestamps strings, as on AWS; moto keeps
    boto3's datetime objects in the state (DescribeExport's ExportTime), which every later
    JSON step copes with but DescribeExecution's output, which fails with a 500."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (
        StateTaskServiceAwsSdk,
    )
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    evaluate = StateTaskServiceAwsSdk._eval_service_task

    def eval_service_task(self, env, *args, **kwargs):
        evaluate(self, env, *args, **kwargs)
        env.stack.append(json.loads(to_json_str(env.stack.pop())))

    StateTaskServiceAwsSdk._eval_service_task = eval_service_task


_role_keys: dict[str, Any] = {}
_role_keys_lock = threading.Lock()


def _role_credentials(role_arn: str, region: str) -> tuple[str, str, str]:
    """Keys of an STS session of role_arn, made in-process and reused while moto knows them."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends
    from moto.utilities.utils import get_partition

    account = role_arn.split(":")[4]
    partition = get_partition(region)
    with _role_keys_lock:
        role = _role_keys.get(role_arn)
        if role is None or role.access_key_id not in iam_backends[account][partition].access_keys:
            role = sts_backends[account][partition].assume_role(
                region_name=region,
                role_session_name="states",
                role_arn=role_arn,
                policy="",
                duration=3600,
                external_id="",
            )
            _role_keys[role_arn] = role
        return role.access_key_id, role.secret_access_key, role.session_token


def _act_as_execution_role() -> None:
    import boto3
    from botocore.config import Config
    from moto.settings import moto_server_port
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
    from moto.stepfunctions.parser.asl.utils import boto_client

    def boto_client_for(region: str, service: str, state_credentials: Any = None):
        role_arn = getattr(state_credentials, "role_arn", None)
        keys = _role_credentials(role_arn, region) if role_arn else ("ak", "sk", None)
        return boto3.client(
            service_name=service,
            region_name=region,
            endpoint_url=f"http://127.0.0.1:{moto_server_port()}",
            aws_access_key_id=keys[0],
            aws_secret_access_key=keys[1],
            aws_session_token=keys[2],
            config=Config(
                parameter_validation=False,
                retries={"max_attempts": 0, "total_max_attempts": 1},
                connect_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
                read_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
            ),
        )

    # Every module that imported the name keeps its own reference: replace those too.
    boto_client.boto_client_for = boto_client_for
    for module in list(sys.modules.values()):
        if getattr(module, "boto_client_for", None) is not None and module is not boto_client:
            if module.__name__.startswith("moto.stepfunctions.parser."):
                module.boto_client_for = boto_client_for


class _ChildExecution:
    """A Distributed Map child execution as ListExecutions(mapRunArn) and DescribeExecution show it."""

    def __init__(self, record, execution_input):
        self.name = str(uuid.uuid4())
        self.state_machine_arn = record.map_state_machine_arn
        self.arn = f"{record.map_state_machine_arn.replace(':stateMachine:', ':execution:', 1)}:{self.name}"
        self.map_run_arn = record.map_run_arn
        self.input = json.dumps(execution_input, separators=(",", ":"))
        self.start_date = datetime.now(timezone.utc)
        self.stop_date = None
        self.status = "RUNNING"
        self.output = None
        self.error = None
        self.cause = None

    def end(self, status, output=None, error=None, cause=None):
        self.status, self.output, self.error, self.cause = status, output, error, cause
        self.stop_date = datetime.now(timezone.utc)

    def list_item(self):
        item = {
            "executionArn": self.arn,
            "stateMachineArn": self.state_machine_arn,
            "name": self.name,
            "status": self.status,
            "startDate": self.start_date,
            "mapRunArn": self.map_run_arn,
        }
        if self.stop_date:
            item["stopDate"] = self.stop_date
        return item

    def describe(self):
        out = {**self.list_item(), "input": self.input}
        for key, value in (("output", self.output), ("error", self.error), ("cause", self.cause)):
            if value is not None:
                out[key] = value
        return out


def _children(record) -> list:
    return record.__dict__.setdefault("_ddbsync_children", [])


def _distributed_map_like_aws() -> None:
    from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import EvalTimeoutError
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor.distributed_item_processor_worker import (
        DistributedItemProcessorWorker,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramError, ProgramStopped
    from moto.stepfunctions.parser.asl.eval.states import ItemData, MapData
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    threshold = StatesErrorNameType.StatesExceedToleratedFailureThreshold

    def exceeded(record, total: int) -> bool:
        failed = record.item_counter.failed.get() + record.item_counter.timed_out.get()
        if failed == 0:
            return False
        # moto keeps 0 for an absent threshold, so both must be exceeded (AWS: either one set).
        return failed > record.tolerated_failure_count and failed * 100 > record.tolerated_failure_percentage * total

    def eval_job(self, env, job) -> None:
        record = self._map_run_record
        for counter in (record.item_counter, record.execution_counter):
            counter.total.count()
            counter.running.count()
        outcome, output, error, cause = "FAILED", None, None, None
        child = None
        try:
            env.states.context_object.context_object_data["Map"] = MapData(
                Item=ItemData(Index=job.job_index, Value=job.job_input)
            )
            env.states.reset(job.job_input)
            env.stack.append(env.states.get_input())
            self._eval_input(env_frame=env)
            child = _ChildExecution(record, env.states.get_input())
            _children(record).append(child)
            job.job_program.eval(env)
            end = env.program_state()
            if isinstance(end, ProgramError):
                error, cause = (end.error or {}).get("error"), (end.error or {}).get("cause")
            elif isinstance(end, ProgramStopped):
                outcome = "ABORTED"
            else:
                outcome, output = "SUCCEEDED", env.states.get_input()
        except EvalTimeoutError:
            outcome, error = "TIMED_OUT", "States.Timeout"
        except FailureEventException as failure:
            error, cause = failure.extract_error_cause_pair() or (None, None)
        except Exception as err:  # noqa: BLE001 (a child's failure, counted like AWS counts it)
            error, cause = type(err).__name__, str(err)
        counter_name = {"SUCCEEDED": "succeeded", "FAILED": "failed", "ABORTED": "aborted", "TIMED_OUT": "timed_out"}
        for counter in (record.item_counter, record.execution_counter):
            counter.running.offset(-1)
            getattr(counter, counter_name[outcome]).count()
            if outcome == "SUCCEEDED":
                counter.results_written.count()
        if child is not None:
            child.end(outcome, to_json_str(output) if outcome == "SUCCEEDED" else None, error, cause)
        job.job_output = output
        if outcome in ("FAILED", "TIMED_OUT") and exceeded(record, self._job_pool._jobs_number):
            # The Map Run fails, and with it the Map state (AWS stops starting children too).
            job.job_output = FailureEventException(
                failure_event=FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=threshold),
                    event_type=HistoryEventType.ExecutionFailed,
                    event_details=EventDetails(
                        executionFailedEventDetails=ExecutionFailedEventDetails(
                            error=threshold.to_name(),
                            cause="The specified tolerated failure threshold was exceeded",
                        )
                    ),
                )
            )

    DistributedItemProcessorWorker._eval_job = eval_job

    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
        DistributedIterationComponent,
    )

    map_run = DistributedIterationComponent._map_run

    def map_run_to_the_end(self, env, eval_input) -> None:
        # moto ends a failed Map Run while children still run; wait for them so that its
        # counts are final when the execution ends (AWS aborts them instead).
        try:
            map_run(self, env, eval_input)
        finally:
            while eval_input.map_run_record.execution_counter.running.get() > 0:
                time.sleep(0.02)

    DistributedIterationComponent._map_run = map_run_to_the_end

def _list_child_executions() -> None:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.exceptions import ResourceNotFound
    from moto.stepfunctions.responses import StepFunctionResponse

    def child_executions(backend):
        for execution in backend._get_executions():
            worker = getattr(execution, "exec_worker", None)
            if worker is None:
                continue
            for record in worker.env.map_run_record_pool_manager.get_all():
                yield record, _children(record)

    list_executions = StepFunctionResponse.list_executions

    def list_map_run_executions(self):
        map_run_arn = self._get_param("mapRunArn")
        if not map_run_arn:
            return list_executions(self)
        status = self._get_param("statusFilter")
        for record, children in child_executions(self.stepfunction_backend):
            if record.map_run_arn == map_run_arn:
                items = [c.list_item() for c in list(children) if status in (None, c.status)]
                return ActionResult({"executions": items})
        raise ResourceNotFound(map_run_arn)

    describe_execution = StepFunctionResponse.describe_execution

    def describe_child_execution(self):
        arn = self._get_param("executionArn")
        if ":execution:" in arn and "/" in arn.split(":execution:", 1)[1]:
            for _, children in child_executions(self.stepfunction_backend):
                for child in list(children):
                    if child.arn == arn:
                        return ActionResult(child.describe())
        return describe_execution(self)

    StepFunctionResponse.list_executions = list_map_run_executions
    StepFunctionResponse.describe_execution = describe_child_execution


# --- Lambda ---------------------------------------------------------------------------


class LocalLambdaServiceError(JsonRESTError):
    code = 500

    def __init__(self, message: str):
        super().__init__("ServiceException", message)


def _post_json(url: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as err:
        detail = err.read()[:1000].decode("utf-8", "replace")
        raise LocalLambdaServiceError(f"the local Lambda service at {url} answered {err.code}: {detail}")
    except OSError as err:
        raise LocalLambdaServiceError(f"the local Lambda service at {url} cannot be reached: {err}")


def _forward_invoke() -> None:
    from moto.awslambda.models import LambdaBackend, LambdaFunction

    invoke = LambdaBackend.invoke

    def invoke_locally(self, function_name, qualifier, body, headers, response_headers):
        url = os.environ.get(LOCAL_LAMBDA_URL_ENV)
        if not url:
            return invoke(self, function_name, qualifier, body, headers, response_headers)
        fn = self.get_function(function_name, qualifier)
        invocation_type = headers.get("X-Amz-Invocation-Type") or "RequestResponse"
        if invocation_type == "DryRun":
            return b""
        answer = _post_json(
            url,
            {
                "functionArn": fn.function_arn,
                "functionName": fn.function_name,
                "version": str(fn.version),
                "account": fn.account_id,
                "region": fn.region,
                "invocationType": invocation_type,
                "logType": headers.get("X-Amz-Log-Type") or "None",
                "payload": body or "{}",
            },
            timeout=_LAMBDA_MAX_SECONDS + 60,
        )
        if "error" in answer:  # an error of the Invoke API itself, e.g. a payload that is not JSON
            err = JsonRESTError(answer["error"]["code"], answer["error"]["message"])
            err.code = answer["error"]["status"]
            raise err
        if invocation_type == "Event":
            return b""
        if answer.get("functionError"):
            response_headers["x-amz-function-error"] = answer["functionError"]
        if answer.get("logResult"):
            response_headers["x-amz-log-result"] = answer["logResult"]
        response_headers["x-amz-executed-version"] = str(fn.version)
        payload = str(answer.get("payload", "null")).encode("utf-8")
        response_headers["Content-Length"] = str(len(payload))
        return payload

    LambdaBackend.invoke = invoke_locally

    get_code = LambdaFunction.get_code

    def get_code_with_location(self):
        code = get_code(self)
        if self.package_type == "Zip" and getattr(self, "code_bytes", b""):
            try:
                from flask import request

                base = request.host_url.rstrip("/")
            except RuntimeError:  # outside a request (e.g. CloudFormation)
                return code
            query = urlencode(
                {"account": self.account_id, "region": self.region, "function": self.function_name, "version": str(self.version)}
            )
            code["Code"] = {"RepositoryType": "S3", "Location": f"{base}{LAMBDA_CODE_PATH}?{query}"}
        return code

    LambdaFunction.get_code = get_code_with_location

    def serve_code(request: Any, full_url: str, headers: Any):
        from moto.awslambda.models import lambda_backends

        query = {k: v[0] for k, v in parse_qs(urlparse(full_url).query).items()}
        try:
            backend = lambda_backends[query["account"]][query["region"]]
            version = query.get("version")
            fn = backend.get_function(query["function"], None if version in (None, "$LATEST") else version)
        except Exception as err:  # noqa: BLE001 (any lookup failure is a 404 here)
            return 404, {"Content-Type": "text/plain"}, f"no such function code: {err}".encode()
        return 200, {"Content-Type": "application/zip"}, fn.code_bytes

    from moto.moto_api._internal import urls

    urls.url_paths["{0}" + LAMBDA_CODE_PATH + "$"] = serve_code


# --- DynamoDB ImportTable -------------------------------------------------------------


def _as_put_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item as moto holds one that PutItem received: top-level binaries as bytes (nested
    ones stay base64), so that its size, and so the 400 KB limit, come out the same."""
    out = {}
    for name, value in item.items():
        if "B" in value:
            value = {"B": base64.b64decode(value["B"])}
        elif "BS" in value:
            value = {"BS": [base64.b64decode(b) for b in value["BS"]]}
        out[name] = value
    return out


def _import_line_by_line() -> None:
    from moto.dynamodb.models.table_import import TableImport

    def run(self) -> None:
        from moto.s3.models import s3_backends

        owner = self.s3_source.get("S3BucketOwner") or self.account_id
        try:
            s3_backend = s3_backends[owner][self.partition]
            bucket = s3_backend.buckets[self.s3_source["S3Bucket"]]
        except KeyError:
            self.status = "FAILED"
            self.failure_code = "S3NoSuchBucket"
            self.failure_message = "The specified bucket does not exist"
            return
        try:
            self._process_s3_files(s3_backend, bucket)
        except Exception as err:  # noqa: BLE001 (reported as moto does)
            self.status = "FAILED"
            self.failure_code = "UNKNOWN"
            self.failure_message = str(err)

    def process_s3_files(self, s3_backend, bucket) -> None:
        from moto.dynamodb.models import dynamodb_backends

        dynamo = dynamodb_backends[self.account_id][self.region_name]
        self.table = dynamo.create_table(
            name=self.table_name,
            billing_mode=self.billing_mode,
            throughput=self.throughput,
            schema=self.key_schema,
            global_indexes=self.global_indexes,
            indexes=None,
            attr=self.attrs,
            sse_specification=None,
            streams=None,
            tags=[],
            deletion_protection_enabled=False,
            warm_throughput=None,
        )
        keys, _, _, _ = s3_backend.list_objects(
            bucket, prefix=self.s3_source.get("S3KeyPrefix"), delimiter=None, marker=None, max_keys=None
        )
        for key in keys:
            data = key.value
            if self.compression_type == "GZIP":
                data = gzip.decompress(data)
            for number, line in enumerate(data.split(b"\n"), start=1):
                if not line.strip():
                    continue
                self.processed_count += 1
                self.processed_bytes += len(line)
                try:
                    self.table.put_item(item_attrs=_as_put_item(json.loads(line)["Item"]))
                    self.imported_count += 1
                except Exception as err:  # noqa: BLE001 (counted, as AWS counts bad lines)
                    self.failure_message = f"{key.name} line {number}: {err}"
                    self.error_count += 1
        self.status = "COMPLETED" if self.error_count == 0 else "FAILED"

    TableImport.run = run
    TableImport._process_s3_files = process_s3_files


# --- DynamoDB ExportTableToPointInTime ------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _export_id() -> str:
    # AWS's form: 14 digits (milliseconds since the epoch), a dash, 8 hex digits.
    millis = int(datetime.now(timezone.utc).timestamp() * 1000)
    return f"{millis:014d}-{uuid.uuid4().hex[:8]}"


def _snapshot_lines(table) -> tuple[list[str], int]:
    """Every item as a wire-form line; read again if a concurrent write changed the table."""
    from moto.dynamodb.models.utilities import dynamo_json_dump

    for attempt in range(100):
        try:
            lines = [dynamo_json_dump(item.to_json(root_attr_name="Item")) for item in table.all_items()]
            return lines, sum(len(line) for line in lines)
        except RuntimeError:  # "dictionary changed size during iteration"
            if attempt == 99:
                raise
    raise AssertionError("unreachable")


def _export_like_aws() -> None:
    from moto.dynamodb.models.table_export import TableExport
    from moto.dynamodb.responses import DynamoHandler

    init = TableExport.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.export_id = _export_id()
        self.arn = f"{self.table.table_arn}/export/{self.export_id}"
        self.start_time = datetime.now(timezone.utc)
        self.end_time = None
        base = f"{self.s3_prefix}/" if self.s3_prefix else ""
        self.export_dir = f"{base}AWSDynamoDB/{self.export_id}"

    def backup_to_s3(self, s3_backend) -> None:
        lines, size = _snapshot_lines(self.table)
        self.item_count = len(lines)
        self.processed_bytes = size
        put = lambda key, value: s3_backend.put_object(bucket_name=self.s3_bucket, key_name=key, value=value)  # noqa: E731
        put(f"{self.export_dir}/_started", b"")
        data_key = f"{self.export_dir}/data/{uuid.uuid4().hex[:26]}.json.gz"
        data = gzip.compress("".join(line + "\n" for line in lines).encode("utf-8"))
        etag = put(data_key, data).etag.strip('"')
        files = json.dumps(
            {
                "itemCount": self.item_count,
                "md5Checksum": base64.b64encode(hashlib.md5(data).digest()).decode(),
                "etag": etag,
                "dataFileS3Key": data_key,
            }
        ).encode("utf-8") + b"\n"
        self.end_time = datetime.now(timezone.utc)
        summary = json.dumps(
            {
                "version": "2020-06-30",
                "exportArn": self.arn,
                "startTime": _iso(self.start_time),
                "endTime": _iso(self.end_time),
                "tableArn": self.table.table_arn,
                # moto keeps no table id; a stable stand-in for AWS's.
                "tableId": str(uuid.uuid5(uuid.NAMESPACE_URL, self.table.table_arn)),
                "exportTime": _iso(self.start_time),
                "s3Bucket": self.s3_bucket,
                "s3Prefix": self.s3_prefix,
                "s3SseAlgorithm": "AES256",
                "s3SseKmsKeyId": None,
                "manifestFilesS3Key": f"{self.export_dir}/manifest-files.json",
                "billedSizeBytes": size,
                "itemCount": self.item_count,
                "outputFormat": "DYNAMODB_JSON",
                "exportType": self.export_type,
            }
        ).encode("utf-8")
        for name, content in (("manifest-files", files), ("manifest-summary", summary)):
            put(f"{self.export_dir}/{name}.json", content)
            put(f"{self.export_dir}/{name}.md5", hashlib.md5(content).hexdigest().encode())
        self.status = "COMPLETED"

    response = TableExport.response

    def described(self) -> dict[str, Any]:
        out = response(self)
        out["StartTime"] = self.start_time
        out["ExportTime"] = self.start_time
        if self.end_time is not None:
            out["EndTime"] = self.end_time
        if self.status == "COMPLETED":
            out["ExportManifest"] = f"{self.export_dir}/manifest-summary.json"
        if not self.s3_prefix:
            out.pop("S3Prefix", None)
        return out

    TableExport.__init__ = __init__
    TableExport._backup_to_s3_file = backup_to_s3
    TableExport.response = described

    export = DynamoHandler.export_table_to_point_in_time

    def export_without_prefix(self):
        self.body.setdefault("S3Prefix", None)
        self.body.setdefault("ExportFormat", "DYNAMODB_JSON")  # moto's default is misspelt
        return export(self)

    DynamoHandler.export_table_to_point_in_time = export_without_prefix


# --- S3 bucket policies ---------------------------------------------------------------


def _is_insecure_transport_deny(statement: Any) -> bool:
    condition = statement.get("Condition") if isinstance(statement, dict) else None
    if statement.get("Effect") != "Deny" or not isinstance(condition, dict) or list(condition) != ["Bool"]:
        return False
    tests = condition["Bool"]
    if not isinstance(tests, dict) or list(tests) != ["aws:SecureTransport"]:
        return False
    values = tests["aws:SecureTransport"]
    return [str(v).lower() for v in (values if isinstance(values, list) else [values])] == ["false"]


def _requests_over_tls() -> None:
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = json.loads(self.policy.decode())
        statements = policy.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        # Every request here stands for one made over HTTPS, as the SDKs make them on AWS.
        policy["Statement"] = [st for st in statements if not _is_insecure_transport_deny(st)]
        return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


_run_state_machines()
_list_child_executions()
_forward_invoke()
_import_line_by_line()
_export_like_aws()
_requests_over_tls()
