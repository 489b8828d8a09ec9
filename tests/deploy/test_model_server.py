"""Promotion reaches every replica through the model server: the published file,
served by nginx with deploy/nginx/models.conf, answers Rasa's pull
(`If-None-Match` with the last ETag) with 304 until a new model is published,
then once with the new model and a new ETag."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from typing import Dict, Optional, Tuple

import pytest

from devtools.harness.nginx import Nginx, nginx_installed, readable_folder
from retrain.reload import publish, reload_promoted

pytestmark = [
    pytest.mark.cluster,  # nginx: a server, so not in make check
    pytest.mark.skipif(not nginx_installed(), reason="nginx not installed"),
]


def _get(url: str, etag: Optional[str] = None) -> Tuple[int, Dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


@pytest.fixture
def model_server(tmp_path):
    """nginx with the production model server block (the harness's)."""
    folder = readable_folder("model-server-")
    nginx = Nginx(tmp_path / "nginx", [], [], models=folder)
    nginx.start()  # returns once it listens
    yield folder, nginx.model_url
    nginx.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_replicas_pull_a_published_model_once_and_then_get_304(model_server, tmp_path):
    folder, url = model_server
    assert _get(url)[0] == 404  # nothing promoted yet: replicas keep asking
    first = tmp_path / "first.tar.gz"
    first.write_bytes(b"model one")
    publish(first, folder)
    status, headers, body = _get(url)
    assert status == 200 and body == b"model one" and headers["ETag"]
    assert _get(url, headers["ETag"])[0] == 304  # every pull until the next promotion
    second = tmp_path / "second.tar.gz"
    second.write_bytes(b"model two, bigger")
    publish(second, folder)
    status, new_headers, body = _get(url, headers["ETag"])
    assert status == 200 and body == b"model two, bigger"
    assert new_headers["ETag"] != headers["ETag"]
    assert not list(folder.glob(".*"))  # no partial file left where it is served


def test_promotion_publishes_where_the_replicas_pull(monkeypatch, tmp_path):
    model = tmp_path / "current.tar.gz"
    model.write_bytes(b"promoted")
    monkeypatch.setenv("MODEL_PUBLISH_DIR", str(tmp_path / "published"))
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    told = reload_promoted(model, "http://127.0.0.1:9", quiet_if_down=False)
    assert (tmp_path / "published" / "current.tar.gz").read_bytes() == b"promoted"
    assert "кожна репліка" in told
