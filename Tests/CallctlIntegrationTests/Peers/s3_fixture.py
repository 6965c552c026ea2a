"""The S3 side of RecordingStorageTests, done with boto3/botocore (moto's own client) as the judge.

Usage: s3_fixture.py ACTION JSON, with the endpoint in AWS_ENDPOINT_URL; prints one JSON object.
  credentials {}                        IAM user with s3:* and an access key (moto's first
                                        unauthenticated actions); prints accessKeyId, secretAccessKey
  put {"bucket", "key", "body"}         creates the bucket if needed and puts the object
  exists {"bucket", "key"}              prints exists: HEAD Object answered 200 (false on 404)
  presign {"bucket", "key", "region", "time", "expires"}
                                        prints url: botocore's presigned GET at Unix time `time`
The access key pair comes from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
"""
import datetime
import json
import sys
from unittest import mock

import boto3
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

PATH_STYLE = Config(s3={"addressing_style": "path"})


def credentials(_):
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="recordings")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_user_policy(UserName="recordings", PolicyName="s3", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="recordings")["AccessKey"]
    return {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}


def put(params):
    s3 = boto3.client("s3", region_name="us-east-1", config=PATH_STYLE)
    try:
        s3.create_bucket(Bucket=params["bucket"])
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    s3.put_object(Bucket=params["bucket"], Key=params["key"], Body=params["body"].encode())
    return {}


def exists(params):
    s3 = boto3.client("s3", region_name="us-east-1", config=PATH_STYLE)
    try:
        s3.head_object(Bucket=params["bucket"], Key=params["key"])
        return {"exists": True}
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
            return {"exists": False}
        raise


def presign(params):
    session = boto3.session.Session()
    found = session.get_credentials()
    signer = botocore.auth.S3SigV4QueryAuth(Credentials(found.access_key, found.secret_key), "s3", params["region"],
                                            expires=params["expires"])
    endpoint = session.client("s3", region_name=params["region"]).meta.endpoint_url
    request = AWSRequest(method="GET", url=f"{endpoint}/{params['bucket']}/{params['key']}")
    moment = datetime.datetime.fromtimestamp(params["time"], datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=moment):
        signer.add_auth(request)
    return {"url": request.url}


if __name__ == "__main__":
    action = {"credentials": credentials, "put": put, "exists": exists, "presign": presign}[sys.argv[1]]
    print(json.dumps(action(json.loads(sys.argv[2]))))
