#!/usr/bin/env python3
"""Pull Samverkan's coverage matrix and follow-up summary into CSV files.

A nightly script for the city's analysts. With a read-only service token it asks the
GraphQL API which kinds of collaboration group each district has, and how the districts'
activities stand at one reporting period, and writes two CSV files (UTF-8, names exactly
as the districts wrote them, "Skarpnäck", "Spånga-Tensta"):

    coverage-group-kind.csv          one row per district, one column per group kind
                                     (SSPF, SIG, ...), a `total` column and a totals row
    follow-up-summary-YEAR-TERM.csv  one row per district: its follow-ups per status,
                                     how many the activities' schedules expect, and the
                                     activities still missing (IDs and goals)

Setup (from the repository's root; Python 3.10 or later):

    python3 -m venv .venv
    .venv/bin/pip install -r examples/python/requirements.txt

The token, one of two ways:

  * A token of its own (a server that verifies tokens with its own secret or keys):

        export SAMVERKAN_TOKEN="$(samverkan token --sub coverage-script \\
            --org socialforvaltningen --role VIEWER --ttl 365d)"

  * From the city's identity provider (a server set up with SAMVERKAN_OIDC_ISSUER): the
    script asks the provider's token endpoint for a fresh token by the OAuth 2.0
    client-credentials grant (RFC 6749 section 4.4) each time it runs, as a confidential
    client registered for it there (Keycloak: a client with service accounts on and the
    reader role; Entra ID: an app registration given the reader app role):

        export SAMVERKAN_OIDC_ISSUER=https://sso.example.se/realms/stad
        export SAMVERKAN_CLIENT_ID=coverage-script
        export SAMVERKAN_CLIENT_SECRET=...

Then:

    .venv/bin/python examples/python/coverage_to_csv.py --out reports/

Environment:
    SAMVERKAN_URL            the GraphQL endpoint (default http://127.0.0.1:8000/graphql)
    SAMVERKAN_TOKEN          a bearer token; the VIEWER role is all it needs
  or, for the client-credentials grant (not together with SAMVERKAN_TOKEN):
    SAMVERKAN_CLIENT_ID      the script's client at the identity provider
    SAMVERKAN_CLIENT_SECRET  its secret
    SAMVERKAN_OIDC_ISSUER    the provider's issuer: the token endpoint is read from its
                             discovery document (ISSUER/.well-known/openid-configuration)
    SAMVERKAN_TOKEN_URL      or the token endpoint itself (then no discovery), e.g.
                             https://login.microsoftonline.com/TENANT/oauth2/v2.0/token
    SAMVERKAN_SCOPE          optional: scopes to ask for, separated by spaces (Entra ID
                             needs the API's `api://APP-ID-URI/.default`)
    SAMVERKAN_RESOURCE       optional: the `resource` parameter (RFC 8707; Entra ID v1
                             and AD FS name the API this way)
  The provider's URLs must be https:// (http:// only on a loopback address). The client
  authenticates with HTTP Basic (client_secret_basic), or with the secret in the form
  (client_secret_post) when the discovery document offers only that.

Options:
    --out DIR        where to write the files (default: the current directory)
    --year, --term   the reporting period of the follow-up summary. Default: the most
                     recent period that has ended, i.e. whose state in
                     `reportingPeriods` is DUE (report owed) or CLOSED (past its due
                     date), looking at last year and this year. With only --year (or
                     only --term): the most recent ended period of that year (or term).

The operations CoverageByGroupKind and FollowUpSummary are sent exactly as the users'
scripts write them (tests/operations.graphql in the repository); two small companion
queries fetch what those leave out (the coverage totals and the expected counts).

Exit status: 0 when both files were written, 1 when the server or the identity provider
refused (a bad token, bad client credentials) or failed, 2 on bad usage (no token and no
client credentials, both, or one of the client's settings missing).
"""

from __future__ import annotations

import argparse
import csv
import ipaddress
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from gql import Client, GraphQLRequest, gql
from gql.client import SyncClientSession
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportError,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.requests import RequestsHTTPTransport
from oauthlib.oauth2 import BackendApplicationClient, MissingTokenError, OAuth2Error
from requests_oauthlib import OAuth2Session

DEFAULT_URL = "http://127.0.0.1:8000/graphql"
TERMS = ("T1", "T2", "ANNUAL")
ENDED_STATES = ("DUE", "CLOSED")
MINT_HINT = (
    "mint a service token with: samverkan token --sub coverage-script "
    "--org socialforvaltningen --role VIEWER --ttl 365d"
)
TOKEN_HINT = (
    "either set SAMVERKAN_TOKEN to a service token (" + MINT_HINT + "), or let the "
    "script get one from the city's identity provider by the client-credentials grant: "
    "set SAMVERKAN_CLIENT_ID, SAMVERKAN_CLIENT_SECRET and SAMVERKAN_OIDC_ISSUER (or "
    "SAMVERKAN_TOKEN_URL), and SAMVERKAN_SCOPE or SAMVERKAN_RESOURCE if the provider "
    "needs them"
)
CLIENT_SETTINGS = (
    "SAMVERKAN_CLIENT_SECRET",
    "SAMVERKAN_OIDC_ISSUER",
    "SAMVERKAN_TOKEN_URL",
    "SAMVERKAN_SCOPE",
    "SAMVERKAN_RESOURCE",
)
DISCOVERY_PATH = "/.well-known/openid-configuration"
PROVIDER_TIMEOUT = 30  # seconds, for each request to the identity provider

Json = dict[str, Any]
Table = list[list[object]]

# --- The users' operations, verbatim from tests/operations.graphql ------------------

COVERAGE_BY_GROUP_KIND = gql(
    """
query CoverageByGroupKind {
  coverage(dimension: GROUP_KIND) {
    keys
    rows { district { name } cells { key count } }
    gaps { district { name } key }
  }
}
"""
)

FOLLOW_UP_SUMMARY = gql(
    """
query FollowUpSummary($year: Int!, $term: Term!) {
  followUpSummary(period: { year: $year, term: $term }) {
    district { name }
    byStatus { status count }
    missing { id goal }
  }
}
"""
)

# --- Companion queries: what the users' operations leave out -------------------------

COVERAGE_TOTALS = gql(
    """
query CoverageTotals {
  coverage(dimension: GROUP_KIND) {
    columns { key label total }
    rows { district { name } total }
    total
  }
}
"""
)

FOLLOW_UP_EXPECTED = gql(
    """
query FollowUpExpected($year: Int!, $term: Term!) {
  followUpSummary(period: { year: $year, term: $term }) {
    district { name }
    expected
  }
}
"""
)

REPORTING_PERIODS = gql(
    """
query ReportingPeriods($year: Int) {
  reportingPeriods(year: $year) {
    period { year term }
    endsOn
    state
  }
}
"""
)


class ScriptError(Exception):
    """A failure to tell the user in one message, without a traceback (exit 1)."""


class UsageError(ScriptError):
    """Missing or contradictory settings (exit 2)."""


# --- The token: SAMVERKAN_TOKEN, or the provider's client-credentials grant ----------


@dataclass(frozen=True)
class Bearer:
    """The token the requests carry, and what to tell the user when it is refused."""

    token: str
    refused_hint: str


@dataclass(frozen=True)
class ClientCredentials:
    """The script's client at the identity provider (RFC 6749 section 4.4)."""

    client_id: str
    client_secret: str
    issuer: str | None
    token_url: str | None
    scope: str | None  # space-separated, as RFC 6749 sends it
    resource: str | None


def setting(env: Mapping[str, str], name: str) -> str | None:
    """An environment setting, or None when it is unset or blank."""
    value = env.get(name, "").strip()
    return value or None


def bearer_from_environment(env: Mapping[str, str]) -> Bearer:
    """SAMVERKAN_TOKEN as it is, or a fresh token from the identity provider."""
    token = setting(env, "SAMVERKAN_TOKEN")
    client_id = setting(env, "SAMVERKAN_CLIENT_ID")
    if token and client_id:
        raise UsageError(
            "both SAMVERKAN_TOKEN and SAMVERKAN_CLIENT_ID are set: unset one (a token "
            "of its own, or the client-credentials grant at the identity provider)"
        )
    if token:
        return Bearer(
            token,
            f"SAMVERKAN_TOKEN is missing, expired or invalid for this server; {MINT_HINT}",
        )
    if not client_id:
        given = [name for name in CLIENT_SETTINGS if setting(env, name)]
        if given:
            raise UsageError(
                f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} set but "
                "SAMVERKAN_CLIENT_ID is not: the "
                "client-credentials grant needs the script's client ID at the provider"
            )
        raise UsageError(f"no token: {TOKEN_HINT}")
    client_secret = env.get("SAMVERKAN_CLIENT_SECRET", "")  # as it is: spaces count
    if not client_secret.strip():
        raise UsageError(
            "SAMVERKAN_CLIENT_ID is set but SAMVERKAN_CLIENT_SECRET is not: the "
            "client-credentials grant needs the client's secret"
        )
    issuer = setting(env, "SAMVERKAN_OIDC_ISSUER")
    token_url = setting(env, "SAMVERKAN_TOKEN_URL")
    if not issuer and not token_url:
        raise UsageError(
            "SAMVERKAN_CLIENT_ID is set but neither SAMVERKAN_OIDC_ISSUER (the identity "
            "provider's issuer; its token endpoint is found by discovery) nor "
            "SAMVERKAN_TOKEN_URL (the token endpoint itself) is"
        )
    scope = setting(env, "SAMVERKAN_SCOPE")
    credentials = ClientCredentials(
        client_id=client_id,
        client_secret=client_secret,
        issuer=issuer,
        token_url=token_url,
        scope=" ".join(scope.split()) if scope else None,
        resource=setting(env, "SAMVERKAN_RESOURCE"),
    )
    return Bearer(
        client_credentials_token(credentials),
        f"the server does not accept the token the identity provider gave client "
        f"{client_id}: check that the server trusts this provider "
        "(its SAMVERKAN_OIDC_ISSUER), that the token's audience is the server's "
        "SAMVERKAN_JWT_AUDIENCE (SAMVERKAN_SCOPE or SAMVERKAN_RESOURCE ask for it), and "
        "that the client's organization and roles are where the server's "
        "SAMVERKAN_CLAIM_* settings read them and in its SAMVERKAN_ROLE_MAP",
    )


def require_https(url: str, what: str) -> None:
    """Refuse a provider URL that is not HTTPS, except plain HTTP on loopback."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and is_loopback(parts.hostname):
        # oauthlib refuses http:// token endpoints unless told otherwise; only a
        # loopback address (a provider on this machine, e.g. in a test) is let through.
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
        return
    raise UsageError(
        f"{what} must be an https:// URL (http:// only on a loopback address): {url}"
    )


def is_loopback(host: str | None) -> bool:
    """`localhost` or a loopback address (127.0.0.0/8, ::1)."""
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def discover_token_endpoint(issuer: str) -> tuple[str, list[str]]:
    """The token endpoint and its client authentication methods, from discovery."""
    url = issuer.rstrip("/") + DISCOVERY_PATH
    require_https(url, "SAMVERKAN_OIDC_ISSUER")
    try:
        response = requests.get(
            url, headers={"Accept": "application/json"}, timeout=PROVIDER_TIMEOUT
        )
    except requests.RequestException as error:
        raise ScriptError(
            f"cannot reach the identity provider at {url} (is SAMVERKAN_OIDC_ISSUER "
            f"right?): {error}"
        ) from None
    if response.status_code != 200:
        raise ScriptError(
            f"the identity provider's discovery document {url} answered HTTP "
            f"{response.status_code}: is SAMVERKAN_OIDC_ISSUER the provider's issuer?"
        )
    try:
        document = response.json()
    except ValueError:
        document = None
    endpoint = document.get("token_endpoint") if isinstance(document, dict) else None
    if not isinstance(endpoint, str) or not endpoint:
        raise ScriptError(
            f"{url} is not an OpenID Connect discovery document naming a token_endpoint; "
            "set SAMVERKAN_TOKEN_URL to the provider's token endpoint instead"
        )
    require_https(endpoint, f"the token_endpoint of {url}")
    methods = document.get("token_endpoint_auth_methods_supported")
    if not isinstance(methods, list):
        methods = ["client_secret_basic"]  # the default of OpenID Connect Discovery
    return endpoint, [m for m in methods if isinstance(m, str)]


def client_credentials_token(credentials: ClientCredentials) -> str:
    """Ask the provider's token endpoint for an access token for the script's client."""
    if credentials.token_url:
        token_url, methods = credentials.token_url, ["client_secret_basic"]
        require_https(token_url, "SAMVERKAN_TOKEN_URL")
    else:
        assert credentials.issuer is not None  # bearer_from_environment checked
        token_url, methods = discover_token_endpoint(credentials.issuer)
    client_id, secret = credentials.client_id, credentials.client_secret

    def no_oauth_answer(response: requests.Response) -> requests.Response:
        """A failed answer that is not an OAuth error (a wrong URL, a proxy's page)."""
        if response.ok:
            return response
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and "error" in body:
            return response  # oauthlib raises it as an OAuth2Error
        raise ScriptError(
            f"the token endpoint {token_url} answered HTTP {response.status_code} "
            "without an OAuth error: is it the provider's token endpoint?"
        )

    session = OAuth2Session(
        client=BackendApplicationClient(client_id=client_id, scope=credentials.scope)
    )
    session.register_compliance_hook("access_token_response", no_oauth_answer)
    # Providers grant other scopes than asked for (Keycloak adds its defaults): fine.
    os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    # HTTP Basic (client_secret_basic) unless the provider takes only the secret in the
    # form (client_secret_post). RFC 6749 section 2.3.1: in Basic, the ID and the secret
    # are each form-encoded first.
    basic = "client_secret_basic" in methods or "client_secret_post" not in methods
    try:
        token = session.fetch_token(
            token_url,
            timeout=PROVIDER_TIMEOUT,
            auth=(
                requests.auth.HTTPBasicAuth(
                    quote(client_id, safe=""), quote(secret, safe="")
                )
                if basic
                else None
            ),
            include_client_id=not basic,
            client_secret=None if basic else secret,
            resource=credentials.resource,  # left out when None
        )
    except MissingTokenError:
        raise ScriptError(
            f"the token endpoint {token_url} answered without an access token: is it "
            "the provider's token endpoint?"
        ) from None
    except OAuth2Error as error:
        detail = (
            f"{error.error}: {error.description}" if error.description else error.error
        )
        raise ScriptError(
            f"the identity provider refused the client-credentials grant for client "
            f"{client_id} ({detail}); check SAMVERKAN_CLIENT_ID, SAMVERKAN_CLIENT_SECRET "
            "and that the client may use the grant (and SAMVERKAN_SCOPE or "
            f"SAMVERKAN_RESOURCE if the provider needs them) at {token_url}"
        ) from None
    except requests.RequestException as error:
        raise ScriptError(
            f"cannot reach the identity provider's token endpoint {token_url}: {error}"
        ) from None
    token_type = str(token.get("token_type", "Bearer"))
    if token_type.lower() != "bearer":
        raise ScriptError(
            f"the identity provider issued a {token_type} token, not a Bearer token"
        )
    return str(token["access_token"])


def execute(
    session: SyncClientSession, request: GraphQLRequest, variables: Json | None = None
) -> Json:
    """Run one operation and return its `data` (errors raise, see `explain`)."""
    if variables is not None:
        request = GraphQLRequest(request, variable_values=variables)
    return session.execute(request)


def explain(error: TransportError, url: str, refused_hint: str) -> str:
    """Turn a gql transport error into a message a script's owner can act on."""

    def unauthenticated(detail: str) -> str:
        return f"the server refused the token (HTTP 401: {detail}): {refused_hint}"

    if isinstance(error, TransportQueryError):
        # Samverkan answers a bad token with HTTP 401 and a GraphQL error whose
        # extensions.code is UNAUTHENTICATED; gql hands us the error list.
        errors: list[Json] = error.errors or []
        codes = [(e.get("extensions") or {}).get("code") for e in errors]
        if "UNAUTHENTICATED" in codes:
            return unauthenticated(
                str(errors[codes.index("UNAUTHENTICATED")].get("message"))
            )
        messages = [
            f"{e.get('message', e)} ({code})" if code else str(e.get("message", e))
            for e, code in zip(errors, codes, strict=True)
        ]
        return "the server answered with errors: " + "; ".join(messages or [str(error)])
    if isinstance(error, TransportServerError):
        if error.code == 401:
            return unauthenticated(str(error))
        return f"the server at {url} answered HTTP {error.code}: {error}"
    if isinstance(error, TransportConnectionFailed):
        return f"cannot reach {url} (is the server up, SAMVERKAN_URL right?): {error}"
    return f"unexpected answer from {url} (not a Samverkan endpoint?): {error}"


def choose_period(
    session: SyncClientSession, year: int | None, term: str | None
) -> tuple[int, str]:
    """The period asked for, or the most recent one that has ended (DUE or CLOSED)."""
    if year is not None and term is not None:
        return year, term
    periods: list[Json] = execute(session, REPORTING_PERIODS, {"year": year})[
        "reportingPeriods"
    ]
    ended = [
        p
        for p in periods
        if p["state"] in ENDED_STATES and (term is None or p["period"]["term"] == term)
    ]
    if not ended:
        raise ScriptError(
            "no reporting period has ended yet"
            + (f" in {year}" if year is not None else "")
            + "; pass --year and --term"
        )
    latest = max(ended, key=lambda p: p["endsOn"])  # ISO dates sort as text
    return latest["period"]["year"], latest["period"]["term"]


def same_districts(a: list[Json], b: list[Json]) -> Iterator[tuple[Json, Json]]:
    """Pair two answers' per-district rows, which the server lists in one order."""
    if [r["district"]["name"] for r in a] != [r["district"]["name"] for r in b]:
        raise ScriptError(
            "two answers listed different districts (data changed?); run again"
        )
    return zip(a, b, strict=True)


def coverage_table(matrix: Json, totals: Json) -> Table:
    """District × group kind counts, with a `total` column and a totals row."""
    keys: list[str] = matrix["keys"]
    table: Table = [["district", *keys, "total"]]
    for row, row_total in same_districts(matrix["rows"], totals["rows"]):
        counts = {cell["key"]: cell["count"] for cell in row["cells"]}
        table.append(
            [
                row["district"]["name"],
                *(counts.get(k, 0) for k in keys),
                row_total["total"],
            ]
        )
    column_totals = {column["key"]: column["total"] for column in totals["columns"]}
    table.append(["total", *(column_totals.get(k, 0) for k in keys), totals["total"]])
    return table


def follow_up_table(summary: list[Json], expected: list[Json]) -> Table:
    """Per district: follow-ups per status, expected, and the activities missing."""
    statuses: list[str] = []
    for row in summary:
        statuses += [
            s["status"] for s in row["byStatus"] if s["status"] not in statuses
        ]
    table: Table = [
        ["district", *statuses, "expected", "missing", "missing_ids", "missing_goals"]
    ]
    for row, row_expected in same_districts(summary, expected):
        counts = {s["status"]: s["count"] for s in row["byStatus"]}
        missing: list[Json] = row["missing"]
        table.append(
            [
                row["district"]["name"],
                *(counts.get(s, 0) for s in statuses),
                row_expected["expected"],
                len(missing),
                " ".join(activity["id"] for activity in missing),
                " | ".join((activity["goal"] or "").strip() for activity in missing),
            ]
        )
    return table


def write_csv(path: Path, table: Table) -> None:
    """Write rows as UTF-8 CSV (no BOM; Swedish letters as they are)."""
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(table)


def export(
    session: SyncClientSession, out: Path, year: int | None, term: str | None
) -> None:
    """Fetch both reports and write their CSV files into `out`."""
    matrix = execute(session, COVERAGE_BY_GROUP_KIND)["coverage"]
    totals = execute(session, COVERAGE_TOTALS)["coverage"]
    coverage_path = out / "coverage-group-kind.csv"
    write_csv(coverage_path, coverage_table(matrix, totals))
    print(
        f"wrote {coverage_path}: {len(matrix['rows'])} districts × "
        f"{len(matrix['keys'])} group kinds, {len(matrix['gaps'])} gaps"
    )

    year, term = choose_period(session, year, term)
    period = {"year": year, "term": term}
    summary = execute(session, FOLLOW_UP_SUMMARY, period)["followUpSummary"]
    expected = execute(session, FOLLOW_UP_EXPECTED, period)["followUpSummary"]
    summary_path = out / f"follow-up-summary-{year}-{term}.csv"
    write_csv(summary_path, follow_up_table(summary, expected))
    missing = sum(len(row["missing"]) for row in summary)
    print(f"wrote {summary_path}: {year} {term}, {missing} reports missing")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write Samverkan's coverage and a follow-up summary as CSV.",
        epilog=f"Environment: SAMVERKAN_URL (default {DEFAULT_URL}); the token: "
        "SAMVERKAN_TOKEN, or by the client-credentials grant SAMVERKAN_CLIENT_ID, "
        "SAMVERKAN_CLIENT_SECRET and SAMVERKAN_OIDC_ISSUER or SAMVERKAN_TOKEN_URL "
        "(optional SAMVERKAN_SCOPE, SAMVERKAN_RESOURCE). See the script's head.",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("."), help="output directory (default: .)"
    )
    parser.add_argument(
        "--year", type=int, help="year of the follow-up period, e.g. 2021"
    )
    parser.add_argument("--term", choices=TERMS, help="term of the follow-up period")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = os.environ.get("SAMVERKAN_URL") or DEFAULT_URL
    try:
        bearer = bearer_from_environment(os.environ)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ScriptError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)

    transport = RequestsHTTPTransport(
        url=url,
        headers={"Authorization": f"Bearer {bearer.token}"},
        timeout=60,
        retries=0,
    )
    try:
        with Client(transport=transport, fetch_schema_from_transport=False) as session:
            export(session, args.out, args.year, args.term)
    except TransportError as error:
        print(f"error: {explain(error, url, bearer.refused_hint)}", file=sys.stderr)
        return 1
    except (ScriptError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
