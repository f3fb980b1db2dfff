"""The official google-api-python-client, with google-auth user credentials (a refresh token),
driving the SalonOps sandbox's Google Business Profile emulator (recipe: shared notes
booking.md section 7).

Usage: gbp_client.py BASE_URL CLIENT_ID CLIENT_SECRET REFRESH_TOKEN
BASE_URL is http://127.0.0.1:PORT/google-business-profile. Prints one JSON object describing
what it saw; exits non-zero on an unexpected failure.
"""
import json
import sys

import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

SCOPE = "https://www.googleapis.com/auth/business.manage"


def main():
    base, client_id, client_secret, refresh_token = sys.argv[1:5]
    credentials = Credentials(token=None, refresh_token=refresh_token, client_id=client_id,
                              client_secret=client_secret, token_uri=base + "/oauth/token", scopes=[SCOPE])
    # No proxy: the sandbox is on loopback. Bounded socket timeout, no retries.
    transport = httplib2.Http(timeout=20, proxy_info=None)
    credentials.refresh(google_auth_httplib2.Request(transport))
    http = google_auth_httplib2.AuthorizedHttp(credentials, http=transport)
    seen = {"refreshed": credentials.token is not None and credentials.valid}

    accounts_api = build("mybusinessaccountmanagement", "v1", http=http,
                         client_options={"api_endpoint": base + "/accounts/"},
                         static_discovery=True, cache_discovery=False)
    info = build("mybusinessbusinessinformation", "v1", http=http,
                 client_options={"api_endpoint": base + "/api/"},
                 static_discovery=True, cache_discovery=False)

    accounts = accounts_api.accounts().list(pageSize=20).execute()
    seen["accounts"] = [account["name"] for account in accounts.get("accounts", [])]
    seen["accounts_next"] = "nextPageToken" in accounts

    listed, pages, token = [], 0, None
    while pages < 10:
        page = info.accounts().locations().list(parent=seen["accounts"][0], readMask="name,title",
                                                pageSize=2, pageToken=token).execute()
        listed += [[item.get("name"), sorted(item.keys())] for item in page.get("locations", [])]
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            break
    seen["locations"], seen["pages"] = listed, pages

    name = listed[0][0]
    body = {
        "regularHours": {"periods": [
            {"openDay": "TUESDAY", "openTime": {"hours": 9}, "closeDay": "TUESDAY",
             "closeTime": {"hours": 12, "minutes": 30}},
            {"openDay": "TUESDAY", "openTime": {"hours": 14}, "closeDay": "TUESDAY", "closeTime": {"hours": 19}},
            {"openDay": "SATURDAY", "openTime": {}, "closeDay": "SATURDAY", "closeTime": {"hours": 24}}]},
        "specialHours": {"specialHourPeriods": [
            {"startDate": {"year": 2026, "month": 12, "day": 25}, "closed": True},
            {"startDate": {"year": 2026, "month": 12, "day": 24}, "openTime": {"hours": 9},
             "closeTime": {"hours": 14}}]},
    }
    patched = info.locations().patch(name=name, updateMask="regularHours,specialHours", body=body).execute()
    seen["patched_periods"] = len(patched["regularHours"]["periods"])
    seen["patched_language"] = patched.get("languageCode")

    read = info.locations().get(name=name, readMask="regularHours,specialHours").execute()
    seen["read_keys"] = sorted(read.keys())
    seen["read_back_equal"] = read["regularHours"] == body["regularHours"] and read["specialHours"] == body["specialHours"]

    invalid = {"regularHours": {"periods": [
        {"openDay": "MONDAY", "openTime": {"hours": 18}, "closeDay": "MONDAY", "closeTime": {"hours": 9}}]}}
    try:
        info.locations().patch(name=name, updateMask="regularHours", body=invalid).execute()
        seen["invalid_status"] = 200
    except HttpError as error:
        seen["invalid_status"] = error.resp.status
        details = error.error_details if isinstance(error.error_details, list) else []
        infos = [detail for detail in details if detail.get("@type", "").endswith("google.rpc.ErrorInfo")]
        seen["invalid_reason"] = infos[0].get("reason") if infos else None
        seen["invalid_field_mask"] = infos[0].get("metadata", {}).get("field_mask") if infos else None

    try:
        info.locations().get(name=name).execute()
        seen["no_mask_status"] = 200
    except HttpError as error:
        seen["no_mask_status"] = error.resp.status

    print(json.dumps(seen, sort_keys=True))


if __name__ == "__main__":
    main()
