"""Time a bulk load of N items with the batch-write APIs of PynamoDB and pydynox.

The Python counterpart of dynamo-model's load benchmark: same item shape,
same table, same server. Run with the interpreter that
scripts/python_bench.sh provisions ($PYTHON_BENCH).

Environment:
  DYNAMODB_ENDPOINT  e.g. http://127.0.0.1:8000 (required)
  BENCH_TABLE        existing table, hash key pk (S), range key sk (N) (required)
  BENCH_ITEMS        items per library (default 10000)
  BENCH_LIBS         comma-separated subset of "pynamodb,pydynox" (default both)

Prints one JSON line: {"pynamodb_seconds": s, "pydynox_seconds": s,
"items": N, "versions": {...}}. A library that fails gets null seconds and
a "<lib>_error" string, so one broken library does not hide the other's time.
"""

import json
import os
import sys
import time
import traceback
from importlib import metadata

REGION = "us-east-1"
# Each library writes its own sk range, so the two loads never overwrite
# each other and the table ends up with N items per library.
SK_STRIDE = 1_000_000
NOTE = "x" * 900  # pads the item to ~1 KB, as in the Rust benchmark


def item_fields(i):
    # Same shape as the Rust struct: pk/status/note strings, sk/total numbers.
    return {"pk": f"customer-{i % 97}", "status": "new", "total": 123.45, "note": NOTE}


def load_pynamodb(endpoint, table, n, offset):
    from pynamodb.attributes import NumberAttribute, UnicodeAttribute
    from pynamodb.models import Model

    class Order(Model):
        class Meta:
            host = endpoint
            table_name = table
            region = REGION
            aws_access_key_id = "test"
            aws_secret_access_key = "test"

        pk = UnicodeAttribute(hash_key=True)
        sk = NumberAttribute(range_key=True)
        status = UnicodeAttribute()
        total = NumberAttribute()
        note = UnicodeAttribute()

    start = time.perf_counter()
    # batch_write() sends a BatchWriteItem every 25 saves, and the rest on exit.
    with Order.batch_write() as batch:
        for i in range(n):
            batch.save(Order(sk=offset + i, **item_fields(i)))
    return time.perf_counter() - start


def load_pydynox(endpoint, table, n, offset):
    from pydynox import DynamoDBClient, Model, ModelConfig, SyncBatchWriter
    from pydynox.attributes import NumberAttribute, StringAttribute

    client = DynamoDBClient(
        region=REGION, access_key="test", secret_key="test", endpoint_url=endpoint
    )

    class Order(Model):
        model_config = ModelConfig(table=table, client=client)
        pk = StringAttribute(partition_key=True)
        sk = NumberAttribute(sort_key=True)
        status = StringAttribute()
        total = NumberAttribute()
        note = StringAttribute()

    start = time.perf_counter()
    # pydynox's batch writer takes plain dicts, not models (its README and
    # docstrings show only dicts); to_dict() is the model's own serializer,
    # so this still pays for a typed model per item, as PynamoDB does. The
    # writer buffers everything and sends it on exit; its Rust core splits
    # it into 25-item requests and retries unprocessed items.
    with SyncBatchWriter(client, table) as batch:
        for i in range(n):
            batch.put(Order(sk=offset + i, **item_fields(i)).to_dict())
    return time.perf_counter() - start


LOADERS = {"pynamodb": load_pynamodb, "pydynox": load_pydynox}


def main():
    endpoint = os.environ["DYNAMODB_ENDPOINT"]
    table = os.environ["BENCH_TABLE"]
    n = int(os.environ.get("BENCH_ITEMS", "10000"))
    libs = [s.strip() for s in os.environ.get("BENCH_LIBS", "pynamodb,pydynox").split(",") if s.strip()]
    if n > SK_STRIDE:
        sys.exit(f"BENCH_ITEMS={n} would overlap the libraries' sk ranges (max {SK_STRIDE})")
    # Dummy credentials, also for anything that reads the environment
    # rather than the explicit arguments: the server is local.
    os.environ.update(
        AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION
    )
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)

    result = {}
    versions = {}
    for lib in libs:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
        try:
            if lib not in LOADERS:
                raise ValueError(f"unknown library {lib!r} (known: {', '.join(LOADERS)})")
            # The offset follows the fixed list, not BENCH_LIBS, so a
            # library always writes the same keys whatever else runs.
            offset = SK_STRIDE * list(LOADERS).index(lib)
            result[f"{lib}_seconds"] = round(LOADERS[lib](endpoint, table, n, offset), 4)
        except Exception as e:  # noqa: BLE001 - reported, not raised
            traceback.print_exc()
            result[f"{lib}_seconds"] = None
            result[f"{lib}_error"] = f"{type(e).__name__}: {e}"
    result["items"] = n
    result["versions"] = versions
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
