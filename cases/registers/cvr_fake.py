"""A local CVR register: the public service's ``_search`` answered from a data file.

The embedded default (``PULJEFLOW_CVR_ADAPTER=fake``) and the tests' HTTP fake
(tests/fakes/cvr_service.py) both answer from here, so the request body and the answer
have the service's shape and the same parsing code reads them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("cvr_fake_companies.json")


class UnsupportedQuery(ValueError):
    """A query the fake does not understand (the real service would answer it, or refuse)."""


@cache
def companies() -> dict[int, dict[str, Any]]:
    """The fake companies' documents by CVR number."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {doc["Vrvirksomhed"]["cvrNummer"]: doc for doc in data["companies"]}


def search(body: Any) -> dict[str, Any]:
    """The answer to a term query on ``Vrvirksomhed.cvrNummer``, as Elasticsearch 1.7 gives it."""
    try:
        wanted = int(body["query"]["term"]["Vrvirksomhed.cvrNummer"])
    except (KeyError, TypeError, ValueError) as error:
        raise UnsupportedQuery(str(error)) from error
    found = companies().get(wanted)
    hits = []
    if found is not None:
        hits.append(
            {
                "_index": "cvr-v-fake",
                "_type": "virksomhed",
                "_id": str(wanted),
                "_score": 1.0,
                "_source": found,
            }
        )
    return {
        "took": 1,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "failed": 0},
        "hits": {"total": len(hits), "max_score": 1.0 if hits else None, "hits": hits},
    }
