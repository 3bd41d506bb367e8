"""Patches moto 5.2.1 needs for Terraform's aws provider to create what the modules declare.
Imported by moto_server.py; each is needed by a test that fails on stock moto.

1. Step Functions ValidateStateMachineDefinition. The aws provider (5.x) validates an
   aws_sfn_state_machine's definition with it when planning, and moto has no such action:
   it answers HTTP 500, which the provider retries for many minutes, so an apply of
   modules/first-sync hangs. Here the definition is parsed as JSON and the answer is OK (a
   definition that is not JSON is reported as a SCHEMA_VALIDATION_FAILED diagnostic); the
   states themselves are checked by test/unit/first-sync (the ASL interpreter) and by
   moto's own parser when an execution runs.
   Needed by: test/e2e/examples.test.ts (examples/first-sync).

2. Step Functions ListStateMachineVersions. The provider lists a state machine's versions
   each time it reads one, and moto has no such action (HTTP 500, retried until the apply
   times out). Here it answers the versions moto keeps for the state machine (published
   with publish = true), newest first, as AWS does.
   Needed by: test/e2e/examples.test.ts (examples/first-sync).
"""

import calendar
import json

from moto.stepfunctions.responses import StepFunctionResponse


def _validate_state_machine_definition(self: StepFunctionResponse) -> str:
    definition = self._get_param("definition")
    try:
        parsed = json.loads(definition)
        ok = isinstance(parsed, dict) and "StartAt" in parsed and "States" in parsed
    except (TypeError, ValueError):
        ok = False
    if ok:
        return json.dumps({"result": "OK", "diagnostics": [], "truncated": False})
    return json.dumps(
        {
            "result": "FAIL",
            "diagnostics": [
                {
                    "severity": "ERROR",
                    "code": "SCHEMA_VALIDATION_FAILED",
                    "message": "The definition is not a JSON object with StartAt and States.",
                }
            ],
            "truncated": False,
        }
    )


StepFunctionResponse.validate_state_machine_definition = _validate_state_machine_definition


def _list_state_machine_versions(self: StepFunctionResponse) -> str:
    machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
    versions = sorted(getattr(machine, "versions", {}).items(), reverse=True)
    return json.dumps(
        {
            "stateMachineVersions": [
                {"stateMachineVersionArn": v.arn, "creationDate": calendar.timegm(v.creation_date.utctimetuple())}
                for _, v in versions
            ]
        }
    )


StepFunctionResponse.list_state_machine_versions = _list_state_machine_versions
