"""The official google-api-python-client, with google-auth service-account credentials, driving
the SalonOps sandbox's Google Calendar emulator (recipe: shared notes booking.md section 7).

Usage: google_calendar_client.py KEY_FILE API_ENDPOINT SUBJECT
Prints one JSON object describing what it saw; exits non-zero on an unexpected failure.
"""
import json
import sys

import google_auth_httplib2
import httplib2
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError


def main():
    key_file, api_endpoint, subject = sys.argv[1:4]
    with open(key_file, encoding="utf-8") as handle:
        info = json.load(handle)
    credentials = service_account.Credentials.from_service_account_info(
        info, scopes=["https://www.googleapis.com/auth/calendar"]).with_subject(subject)
    # No proxy: the sandbox is on loopback. Bounded socket timeout, no retries.
    transport = httplib2.Http(timeout=20, proxy_info=None)
    http = google_auth_httplib2.AuthorizedHttp(credentials, http=transport)
    calendar = build("calendar", "v3", http=http, client_options={"api_endpoint": api_endpoint},
                     static_discovery=True, cache_discovery=False)
    seen = {}

    created = []
    for index in range(5):
        body = {"summary": "Cabine %d" % index, "timeZone": "Europe/Paris"}
        created.append(calendar.calendars().insert(body=body).execute()["id"])
    seen["calendars"] = created

    listed, pages, token, sync_token = [], 0, None, None
    while pages < 10:
        page = calendar.calendarList().list(maxResults=2, pageToken=token).execute()
        listed += [item["id"] for item in page.get("items", [])]
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            sync_token = page.get("nextSyncToken")
            break
    seen["listed"], seen["pages"], seen["sync_token"] = listed, pages, sync_token is not None

    target = created[0]
    rule = calendar.acl().insert(calendarId=target, sendNotifications=False, body={
        "role": "reader", "scope": {"type": "user", "value": "stylist@salon.example"}}).execute()
    seen["rule"] = rule["id"]
    seen["acl"] = [item["id"] for item in calendar.acl().list(calendarId=target).execute().get("items", [])]

    event = {"id": "c0ffee0000salon", "summary": "Fermeture", "start": {"date": "2026-12-25"},
             "end": {"date": "2026-12-26"}, "transparency": "opaque",
             "extendedProperties": {"private": {"salonops.owner": "salon-paris"}}}
    inserted = calendar.events().insert(calendarId=target, body=event).execute()
    seen["event"] = inserted["id"]
    found = calendar.events().list(calendarId=target, privateExtendedProperty="salonops.owner=salon-paris",
                                   maxResults=2500, showDeleted=True).execute()
    seen["filtered"] = [item["id"] for item in found.get("items", [])]
    other = calendar.events().list(calendarId=target, privateExtendedProperty="salonops.owner=salon-lyon").execute()
    seen["filtered_other"] = [item["id"] for item in other.get("items", [])]

    patched = calendar.events().patch(calendarId=target, eventId=inserted["id"], body={"summary": "Noël"}).execute()
    seen["patched_summary"] = patched["summary"]
    stale = calendar.events().patch(calendarId=target, eventId=inserted["id"], body={"summary": "x"})
    stale.headers["If-Match"] = inserted["etag"]
    try:
        stale.execute()
        seen["stale_status"] = 200
    except HttpError as error:
        seen["stale_status"] = error.resp.status
        seen["stale_reason"] = error.error_details[0].get("reason") if error.error_details else None

    try:
        calendar.events().insert(calendarId=target, body=event).execute()
        seen["duplicate_status"] = 200
    except HttpError as error:
        seen["duplicate_status"] = error.resp.status
        seen["duplicate_message"] = error.reason

    # Methods without a response body use the client's raw model: a 204 reads as "".
    seen["delete_result"] = calendar.events().delete(calendarId=target, eventId=inserted["id"]).execute()
    seen["after_delete"] = calendar.events().get(calendarId=target, eventId=inserted["id"]).execute()["status"]
    calendar.calendars().delete(calendarId=created[-1]).execute()
    try:
        calendar.calendars().get(calendarId=created[-1]).execute()
        seen["deleted_calendar_status"] = 200
    except HttpError as error:
        seen["deleted_calendar_status"] = error.resp.status

    print(json.dumps(seen, sort_keys=True))


if __name__ == "__main__":
    main()
