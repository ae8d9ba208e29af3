"""An API end-to-end suite in pytest, pointed at the harness (the seed's Phase 2).

Run by the replay runner as a `harness:suites` entry (Pulumi.e2e.yaml) with
`python3 -m pytest --junitxml=...`: the runner reads the JUnit file into the suite's cases, which show
in the harness's junit.xml and report.html. Only the standard library (urllib) talks HTTP, so nothing
needs installing besides pytest. Every endpoint comes from the environment the runner exports
(runner/README.md, "Environment of a suite"): BASE_URL, <TENANT>_HOST, <TENANT>_ADMIN_TOKEN,
<TENANT>_ORG_ID, TENANT_HOST / ADMIN_TOKEN / ORG_ID (the legacy single-tenant names), CP_STUB_URL.
"""

import json
import os
import urllib.error
import urllib.request

import pytest

if "BASE_URL" not in os.environ:
    pytest.exit("BASE_URL is not set: run this suite through the harness (harness:suites)", returncode=2)
BASE_URL = os.environ["BASE_URL"]
TENANTS = os.environ.get("HARNESS_TENANTS", "alpha beta").split()


def prefix(tenant):
    return "".join(c if c.isalnum() else "_" for c in tenant.upper())


def env(tenant, suffix):
    return os.environ[f"{prefix(tenant)}_{suffix}"]


def request(path, host, token=None, org=None, method="GET", base=BASE_URL):
    """(status, parsed JSON body or text) of one request through the edge with this Host header."""
    headers = {"Host": host}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if org is not None:
        headers["X-Molecule-Org-Id"] = org
    req = urllib.request.Request(base + path, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=15) as res:
            status, raw = res.status, res.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    text = raw.decode("utf-8", "replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def admin(tenant, path, **kwargs):
    return request(path, env(tenant, "HOST"), env(tenant, "ADMIN_TOKEN"), env(tenant, "ORG_ID"), **kwargs)


@pytest.mark.parametrize("tenant", TENANTS)
def test_health_through_the_edge(tenant):
    assert request("/health", env(tenant, "HOST")) == (200, {"status": "ok"})


@pytest.mark.parametrize("tenant", TENANTS)
def test_admin_lists_its_seeded_workspaces(tenant):
    status, body = admin(tenant, "/workspaces")
    assert status == 200, body
    names = sorted(w["name"] for w in body if w.get("status") != "removed")
    assert names == [f"{tenant}-child", f"{tenant}-parent"]


def test_legacy_names_reach_the_first_tenant():
    status, body = request("/workspaces", os.environ["TENANT_HOST"], os.environ["ADMIN_TOKEN"], os.environ["ORG_ID"])
    assert status == 200, body
    ids = {w["id"] for w in body}
    assert os.environ["ALPHA_PARENT_ID"] in ids


def test_missing_token_is_refused():
    status, body = request("/workspaces", env("alpha", "HOST"), org=env("alpha", "ORG_ID"))
    assert (status, body) == (401, {"error": "admin auth required"})


def test_missing_org_header_is_refused():
    status, body = request("/workspaces", env("alpha", "HOST"), token=env("alpha", "ADMIN_TOKEN"))
    assert status == 400
    assert body["code"] == "TENANT_ORG_HEADER_REQUIRED"


@pytest.mark.skipif(len(TENANTS) < 2, reason="needs two tenants")
def test_other_tenants_credentials_are_refused():
    alpha, beta = TENANTS[0], TENANTS[1]
    status, body = request("/workspaces", env(beta, "HOST"), env(alpha, "ADMIN_TOKEN"), env(alpha, "ORG_ID"))
    assert status == 404, f"{alpha}'s credentials at {beta} must be refused by its TenantGuard: {body}"


@pytest.mark.skipif(not os.environ.get("CP_STUB_URL"), reason="the stack does not publish the cp-stub")
def test_cp_stub_answers():
    with urllib.request.urlopen(os.environ["CP_STUB_URL"] + "/__stub/state", timeout=15) as res:
        state = json.loads(res.read())
    assert "provision_calls" in state
