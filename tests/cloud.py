"""A local AWS for tests: moto's server in a child process, with IAM checking on.

Shared by `tests/connectors/` and `tests/distributed/` (imported as `cloud`).
Unlike the in-process `ThreadedMotoServer`, a child process keeps moto's
authentication switch (process-wide) away from other tests, and Ray workers
reach it like any endpoint. Keys of an all-powerful IAM user come with it;
`user(...)` makes users limited to some buckets, and wrong keys are refused
with AWS's own errors.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from serving import free_port

REGION = "us-east-1"
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@dataclass
class AwsEndpoint:
    url: str
    admin: dict[str, str]  # aws_access_key_id / aws_secret_access_key of an admin
    role_arn: str  # a role anyone with keys may assume, allowed everything

    def client(self, service: str, keys: dict[str, str] | None = None) -> Any:
        import boto3

        keys = keys or self.admin
        return boto3.client(service, endpoint_url=self.url, region_name=REGION, **keys)

    def bucket(self) -> str:
        """A new, empty bucket."""
        name = f"b-{uuid.uuid4().hex[:12]}"
        self.client("s3").create_bucket(Bucket=name)
        return name

    def user(self, *buckets: str) -> dict[str, str]:
        """Keys of a new IAM user allowed S3 on `buckets` only (everything without)."""
        iam = self.client("iam")
        name = f"u-{uuid.uuid4().hex[:8]}"
        iam.create_user(UserName=name)
        policy = ALLOW_ALL
        if buckets:
            arns = [a for b in buckets for a in (f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*")]
            policy = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": arns}],
            }
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {
            "aws_access_key_id": key["AccessKeyId"],
            "aws_secret_access_key": key["SecretAccessKey"],
        }


@contextmanager
def aws_endpoint() -> Iterator[AwsEndpoint]:
    """moto's server on a free loopback port, stopped by its PID afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "false"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's server did not start") from None
                time.sleep(0.1)
        boot = AwsEndpoint(url, {"aws_access_key_id": "boot", "aws_secret_access_key": "boot"}, "")
        iam = boot.client("iam")
        iam.create_user(UserName="admin")
        iam.put_user_policy(
            UserName="admin", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL)
        )
        key = iam.create_access_key(UserName="admin")["AccessKey"]
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
            ],
        }
        role = iam.create_role(RoleName="artifacts", AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(
            RoleName="artifacts", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL)
        )
        # from here on every request must be signed with real keys
        httpx.post(f"{url}/moto-api/reset-auth", content=b"0").raise_for_status()
        yield AwsEndpoint(
            url,
            {
                "aws_access_key_id": key["AccessKeyId"],
                "aws_secret_access_key": key["SecretAccessKey"],
            },
            role["Role"]["Arn"],
        )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
